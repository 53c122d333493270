//! Source files and byte spans.
//!
//! Every node of the syntax tree carries a [`Span`]: the file it came from and a byte range in it.
//! [`Sources`] owns the text so diagnostics can show the line a span points at.

use std::fmt;

/// Identifies one file inside a [`Sources`] set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct FileId(pub u32);

/// A byte range in one source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    /// The file.
    pub file: FileId,
    /// The first byte.
    pub start: usize,
    /// The byte after the last.
    pub end: usize,
}

impl Span {
    /// The bytes `start..end` of `file`.
    pub fn new(file: FileId, start: usize, end: usize) -> Self {
        Span { file, start, end }
    }

    /// The smallest span covering both (they must be in the same file).
    pub fn to(self, other: Span) -> Span {
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// One schema file: its display name (as the user should read it) and its text.
#[derive(Clone)]
pub struct SourceFile {
    name: String,
    text: String,
    line_starts: Vec<usize>,
    /// For a text that is not all ASCII, the number of characters before every
    /// [`CHECKPOINT`]-th byte, so that a column is found without counting from the start of
    /// a (possibly megabyte-long) line. Empty for ASCII text, where a column is a byte offset.
    chars_before_checkpoint: Vec<usize>,
}

/// Bytes between two entries of [`SourceFile::chars_before_checkpoint`].
const CHECKPOINT: usize = 4096;

impl fmt::Debug for SourceFile {
    // Not the text: a report of a megabyte file must not print a megabyte.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SourceFile")
            .field("name", &self.name)
            .field("len", &self.text.len())
            .field("lines", &self.line_starts.len())
            .finish()
    }
}

impl SourceFile {
    /// The name the user reads (a path relative to the workspace, usually).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The file's text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// 1-based line and column (in characters) of a byte offset. Takes time logarithmic in the
    /// file's size (plus a few kilobytes of counting for non-ASCII text), whatever the length of
    /// the line.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(&self.text, offset.min(self.text.len()));
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line];
        let col = self.chars_before(offset) - self.chars_before(start);
        (line + 1, col + 1)
    }

    /// The number of characters before a byte offset (a character boundary).
    fn chars_before(&self, offset: usize) -> usize {
        if self.chars_before_checkpoint.is_empty() {
            return offset;
        }
        let block = offset / CHECKPOINT;
        self.chars_before_checkpoint[block]
            + count_chars(&self.text.as_bytes()[block * CHECKPOINT..offset])
    }

    /// The byte offset where a 1-based line starts.
    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts[line - 1]
    }

    /// The text of a 1-based line, without its line break.
    pub fn line_text(&self, line: usize) -> &str {
        let start = self.line_starts[line - 1];
        let end = self
            .line_starts
            .get(line)
            .copied()
            .unwrap_or(self.text.len());
        self.text[start..end].trim_end_matches(['\n', '\r'])
    }
}

/// Characters in a byte range of UTF-8 text (which may start or end inside a character): the
/// bytes that are not continuation bytes.
fn count_chars(bytes: &[u8]) -> usize {
    bytes.iter().filter(|b| (**b & 0xC0) != 0x80).count()
}

pub(crate) fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The set of files a diagnostic may point into.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    files: Vec<SourceFile>,
}

impl Sources {
    /// No files yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a file and returns its id.
    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> FileId {
        let text = text.into();
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        let chars_before_checkpoint = if text.is_ascii() {
            Vec::new()
        } else {
            let mut counts = Vec::with_capacity(text.len() / CHECKPOINT + 1);
            let mut total = 0;
            for chunk in text.as_bytes().chunks(CHECKPOINT) {
                counts.push(total);
                total += count_chars(chunk);
            }
            counts.push(total);
            counts
        };
        self.files.push(SourceFile {
            name: name.into(),
            text,
            line_starts,
            chars_before_checkpoint,
        });
        FileId(self.files.len() as u32 - 1)
    }

    /// A file (panics on an id of another set).
    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    /// A file, when the id is one of this set.
    pub fn try_get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0 as usize)
    }

    /// The text a span covers.
    pub fn slice(&self, span: Span) -> &str {
        let text = self.get(span.file).text();
        let end = floor_char_boundary(text, span.end.min(text.len()));
        let start = floor_char_boundary(text, span.start.min(end));
        &text[start..end]
    }

    /// Every file with its id, in the order added.
    pub fn files(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), f))
    }
}

/// `file:line:column` of a span's start.
pub struct Location<'a> {
    /// The file's name.
    pub file: &'a str,
    /// The line, from 1.
    pub line: usize,
    /// The column in characters, from 1.
    pub column: usize,
}

impl fmt::Display for Location<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

impl Sources {
    /// Where a span starts: file, line and column.
    pub fn location(&self, span: Span) -> Location<'_> {
        let file = self.get(span.file);
        let (line, column) = file.line_col(span.start);
        Location {
            file: file.name(),
            line,
            column,
        }
    }
}
