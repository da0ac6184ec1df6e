//! robots.txt rules for one host, read with `texting_robots`.

use url::Url;

pub struct Robots {
    rules: Rules,
}

enum Rules {
    AllowAll,
    DisallowAll,
    Parsed(Box<texting_robots::Robot>),
}

impl Robots {
    pub fn allow_all() -> Robots {
        Robots { rules: Rules::AllowAll }
    }

    pub fn disallow_all() -> Robots {
        Robots { rules: Rules::DisallowAll }
    }

    /// Rules for our agent; a file that cannot be parsed allows everything (it says nothing).
    pub fn parse(user_agent: &str, body: &[u8]) -> Robots {
        let agent = user_agent.split('/').next().unwrap_or("peerscope");
        match texting_robots::Robot::new(agent, body) {
            Ok(r) => Robots { rules: Rules::Parsed(Box::new(r)) },
            Err(_) => Robots::allow_all(),
        }
    }

    pub fn allows(&self, url: &Url) -> bool {
        match &self.rules {
            Rules::AllowAll => true,
            Rules::DisallowAll => false,
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
    }
}
