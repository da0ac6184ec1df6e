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
    let mut a = analyzer();
    let mut stream = a.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

/// A token filter stemming English words with rust-stemmers.
#[derive(Clone, Copy, Default)]
pub struct EnglishStemmer;

impl TokenFilter for EnglishStemmer {
    type Tokenizer<T: Tokenizer> = StemTokenizer<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> StemTokenizer<T> {
        StemTokenizer { inner: tokenizer }
    }
}

#[derive(Clone)]
pub struct StemTokenizer<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for StemTokenizer<T> {
    type TokenStream<'a> = StemStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        StemStream { inner: self.inner.token_stream(text), stemmer: rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English) }
    }
}

pub struct StemStream<S> {
    inner: S,
    stemmer: rust_stemmers::Stemmer,
}

impl<S: TokenStream> TokenStream for StemStream<S> {
    fn advance(&mut self) -> bool {
        if !self.inner.advance() {
            return false;
        }
        let token = self.inner.token_mut();
        let stemmed = self.stemmer.stem(&token.text).into_owned();
        token.text = stemmed;
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
}
