//! The English analyzer: simple tokens, lower-cased, long tokens dropped, then stemmed with
//! rust-stemmers' English (Porter 2) algorithm. Registered under [`ANALYZER`] on every open.

use tantivy::tokenizer::{LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer};

/// The name the text fields use.
pub const ANALYZER: &str = "peerscope_en";
/// Bump when the analyzer or the schema changes: an index built by another version is
/// rebuilt (4: findings carry the reader's confidence).
pub const ANALYZER_VERSION: u32 = 4;

pub fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(EnglishStemmer)
        .build()
}

/// The terms a text yields, for building queries.
pub fn terms(text: &str) -> Vec<String> {
    term_spans(text).into_iter().map(|(_, _, term)| term).collect()
}

/// The terms of `text` with the byte spans of the words they came from.
pub fn term_spans(text: &str) -> Vec<(usize, usize, String)> {
    // One analyzer a thread, so its memory of stems lasts from call to call: an answer
    // highlights some forty findings, and a fresh analyzer for each stemmed every word anew
    // (6% of a query's instructions).
    thread_local! {
        static ANALYZER: std::cell::RefCell<TextAnalyzer> = std::cell::RefCell::new(analyzer());
    }
    ANALYZER.with_borrow_mut(|a| {
        let mut stream = a.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            let t = stream.token();
            out.push((t.offset_from, t.offset_to, t.text.clone()));
        }
        out
    })
}

/// A token filter stemming English words with rust-stemmers.
#[derive(Clone, Copy, Default)]
pub struct EnglishStemmer;

impl TokenFilter for EnglishStemmer {
    type Tokenizer<T: Tokenizer> = StemTokenizer<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> StemTokenizer<T> {
        StemTokenizer { inner: tokenizer, stems: Default::default() }
    }
}

/// The most words whose stems a tokenizer keeps; past it the memory starts again.
const MOST_STEMS: usize = 50_000;

/// Stems found so far, by word. Indexing stems the same few thousand words over and over
/// (stemming was a tenth of an ingest's instructions), and each indexing thread holds its
/// own tokenizer, so each has its own memory and no lock.
#[derive(Clone, Default)]
pub struct Stems(rustc_hash::FxHashMap<Box<str>, Box<str>>);

impl Stems {
    fn stem(&mut self, stemmer: &rust_stemmers::Stemmer, word: &mut String) {
        if let Some(stem) = self.0.get(word.as_str()) {
            word.clear();
            word.push_str(stem);
            return;
        }
        let stem: Box<str> = stemmer.stem(word).into();
        if self.0.len() >= MOST_STEMS {
            self.0.clear();
        }
        self.0.insert(word.as_str().into(), stem.clone());
        word.clear();
        word.push_str(&stem);
    }
}

#[derive(Clone)]
pub struct StemTokenizer<T> {
    inner: T,
    stems: Stems,
}

impl<T: Tokenizer> Tokenizer for StemTokenizer<T> {
    type TokenStream<'a> = StemStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        StemStream { inner: self.inner.token_stream(text), stemmer: rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English), stems: &mut self.stems }
    }
}

pub struct StemStream<'a, S> {
    inner: S,
    stemmer: rust_stemmers::Stemmer,
    stems: &'a mut Stems,
}

impl<S: TokenStream> TokenStream for StemStream<'_, S> {
    fn advance(&mut self) -> bool {
        if !self.inner.advance() {
            return false;
        }
        self.stems.stem(&self.stemmer, &mut self.inner.token_mut().text);
        true
    }

    fn token(&self) -> &Token {
        self.inner.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.inner.token_mut()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn stems_english() {
        assert_eq!(super::terms("Reviews reviewing REVIEWED performance"), ["review", "review", "review", "perform"]);
    }

    /// A remembered stem is the stem: the same words give the same terms the second time,
    /// and after the memory is full and starts again.
    #[test]
    fn remembered_stems_are_the_stems() {
        use tantivy::tokenizer::{TokenFilter, TokenStream, Tokenizer};
        let mut tokenizer = super::EnglishStemmer.transform(tantivy::tokenizer::SimpleTokenizer::default());
        let text = "carers caring cared care services serviced";
        let run = |t: &mut super::StemTokenizer<_>| {
            let mut stream = t.token_stream(text);
            let mut out = Vec::new();
            while stream.advance() {
                out.push(stream.token().text.clone());
            }
            out
        };
        let first = run(&mut tokenizer);
        assert_eq!(first, ["carer", "care", "care", "care", "servic", "servic"]);
        assert_eq!(run(&mut tokenizer), first);
        for i in 0..super::MOST_STEMS {
            tokenizer.stems.stem(&rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English), &mut format!("w{i}"));
        }
        assert_eq!(run(&mut tokenizer), first);
    }
}
