//! robots.txt rules for one host, read with `texting_robots`.

use url::Url;

pub struct Robots {
    rules: Rules,
}

enum Rules {
    AllowAll,
    DisallowAll,
    /// robots.txt could not be read, for this reason: everything is disallowed.
    Unreadable(String),
    Parsed(Box<texting_robots::Robot>),
}

impl Robots {
    pub fn allow_all() -> Robots {
        Robots { rules: Rules::AllowAll }
    }

    pub fn disallow_all() -> Robots {
        Robots { rules: Rules::DisallowAll }
    }

    /// Everything disallowed because robots.txt could not be read (`why`).
    pub fn unreadable(why: String) -> Robots {
        Robots { rules: Rules::Unreadable(why) }
    }

    /// Why everything is disallowed, when it is for want of a readable robots.txt.
    pub fn unreadable_because(&self) -> Option<&str> {
        match &self.rules {
            Rules::Unreadable(why) => Some(why),
            _ => None,
        }
    }

    /// Rules for our agent; a file that cannot be parsed allows everything (it says nothing).
    pub fn parse(user_agent: &str, body: &[u8]) -> Robots {
        let agent = user_agent.split('/').next().unwrap_or("peerscope");
        match texting_robots::Robot::new(agent, body) {
            Ok(r) => Robots { rules: Rules::Parsed(Box::new(r)) },
            Err(_) => Robots::allow_all(),
        }
    }

    /// The site's Crawl-delay for us, capped at a minute (a larger one is a misprint or a
    /// refusal in disguise; the run would not finish).
    pub fn crawl_delay(&self) -> Option<std::time::Duration> {
        match &self.rules {
            Rules::Parsed(r) => r.delay.filter(|d| d.is_finite() && *d > 0.0).map(|d| std::time::Duration::from_secs_f32(d.min(60.0))),
            _ => None,
        }
    }

    pub fn allows(&self, url: &Url) -> bool {
        match &self.rules {
            Rules::AllowAll => true,
            Rules::DisallowAll | Rules::Unreadable(_) => false,
            Rules::Parsed(r) => r.allowed(url.as_str()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_for_our_agent() {
        let r = Robots::parse("peerscope/0.1.0 (+mailto:x@y)", b"User-agent: *\nDisallow: /private/\n");
        assert!(r.allows(&Url::parse("https://a.gov.uk/mgAi.aspx?ID=1").unwrap()));
        assert!(!r.allows(&Url::parse("https://a.gov.uk/private/x").unwrap()));
        let r = Robots::parse("peerscope/0.1.0", b"User-agent: peerscope\nDisallow: /\n");
        assert!(!r.allows(&Url::parse("https://a.gov.uk/x").unwrap()));
        assert_eq!(r.crawl_delay(), None);
        let r = Robots::parse("peerscope/0.1.0", b"User-agent: *\nCrawl-delay: 2\nDisallow: /private/\n");
        assert_eq!(r.crawl_delay(), Some(std::time::Duration::from_secs(2)));
    }
}
