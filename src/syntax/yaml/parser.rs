//! Events from `saphyr-parser` → [`YamlFile`]. Iterative: nesting depth is a heap stack.
//!
//! saphyr reports positions as character indices and some of its spans are not where a reader
//! would put them (block sequences start at their first item, block scalars at their first
//! content line, block collections end at the next token). This module converts indices to byte
//! offsets and fixes those spans up against the text, so every span is a byte range that slices
//! the original text to what was written.

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use saphyr_parser::{
    Event, Parser, ScalarStyle as SaphyrStyle, ScanError, Span as SaphyrSpan, Tag,
};

use super::{DuplicateKey, Entry, Node, Scalar, ScalarStyle, Value, YamlError, YamlFile};
use crate::syntax::span::Span;

/// The most nodes that alias and merge expansion may create in one file, against alias bombs.
/// A scalar weighs one node per [`SCALAR_BYTES_PER_NODE`] bytes of its text as well, so that
/// copies of one long string are bounded by bytes too (100,000 nodes: about 6 MB of text).
pub const ALIAS_BUDGET: usize = 100_000;

/// Bytes of scalar text that weigh as much as one node in [`ALIAS_BUDGET`].
pub const SCALAR_BYTES_PER_NODE: usize = 64;

/// The deepest nesting accepted. The derived `Clone`, `Drop`, `PartialEq` and `Serialize` of
/// [`Node`] recurse, so the tree itself must stay shallow enough for a small thread stack; no
/// real compose file comes anywhere near this.
pub const MAX_DEPTH: usize = 400;

/// Parse a YAML stream. Never panics; problems end up in [`YamlFile::errors`].
///
/// Lines inside a flow collection (`[ … ]`, `{ … }`) that are indented less than the block
/// they sit in are accepted, as by the Go YAML parser Compose uses (see [`super::relax`]).
pub fn parse(text: &str) -> YamlFile {
    let (file, scan_error) = parse_strict(text);
    match scan_error {
        Some(error) => super::relax::parse_relaxed(text, file, error),
        None => file,
    }
}

/// Parse exactly as saphyr does. Also returns where a scan error stopped the parse when it is
/// about indentation (the one saphyr is stricter about than Compose), and whether it was in a
/// quoted scalar (reported at the scalar's start, about one of its later lines).
pub(super) fn parse_strict(text: &str) -> (YamlFile, Option<(usize, bool)>) {
    let mut indentation_error = None;
    let mut builder = Builder::new(text);
    let mut parser = Parser::new_from_str(text);
    loop {
        // saphyr is well tested, but a panic on odd input must not take the linter down.
        let next = catch_unwind(AssertUnwindSafe(|| parser.next_event()));
        match next {
            Ok(None) => break,
            Ok(Some(Ok((event, span)))) => {
                if let Err(error) = builder.event(event, span) {
                    builder.file.errors.push(error);
                    break;
                }
                if builder.done {
                    break;
                }
            }
            Ok(Some(Err(error))) => {
                let error = builder.scan_error(&error);
                if error.message.starts_with("invalid indentation") {
                    let quoted = error.message.ends_with("in quoted scalar");
                    indentation_error = Some((error.span.start, quoted));
                }
                builder.file.errors.push(error);
                break;
            }
            Err(_) => {
                let at = builder.last_end;
                builder.file.errors.push(YamlError {
                    span: Span::empty(at),
                    message: "internal error in the YAML parser".to_string(),
                });
                break;
            }
        }
    }
    (builder.file, indentation_error)
}

/// Character index → byte offset. Identity for ASCII text; otherwise a table with the byte
/// offset of every `STRIDE`th character, walked forward from there (small even for big files).
struct CharOffsets<'t> {
    text: &'t str,
    ascii: bool,
    checkpoints: Vec<usize>,
}

const STRIDE: usize = 64;

impl<'t> CharOffsets<'t> {
    fn new(text: &'t str) -> Self {
        let ascii = text.is_ascii();
        let checkpoints = if ascii {
            Vec::new()
        } else {
            text.char_indices()
                .step_by(STRIDE)
                .map(|(i, _)| i)
                .collect()
        };
        Self {
            text,
            ascii,
            checkpoints,
        }
    }

    fn byte(&self, index: usize) -> usize {
        if self.ascii {
            return index.min(self.text.len());
        }
        let Some(&base) = self.checkpoints.get(index / STRIDE) else {
            return self.text.len();
        };
        let rest = self.text.get(base..).unwrap_or_default();
        rest.char_indices()
            .nth(index % STRIDE)
            .map_or(self.text.len(), |(i, _)| base + i)
    }
}

/// An anchored node kept for later aliases, with its size for the budget and its height for
/// the depth limit.
struct Anchored {
    node: Node,
    count: usize,
    height: usize,
}

/// A collection being read.
struct Frame {
    start: usize,
    flow: bool,
    tag: Option<String>,
    anchor: usize,
    kind: FrameKind,
}

enum FrameKind {
    Sequence(Vec<Node>),
    Mapping(MapFrame),
}

#[derive(Default)]
struct MapFrame {
    /// `None` marks an entry replaced by a later duplicate (kept as a hole so indices in `keys`
    /// stay valid).
    entries: Vec<Option<Entry>>,
    pending_key: Option<Node>,
    keys: KeyIndex,
    merges: Vec<Merge>,
}

/// Past this many keys a mapping's key index is a hash map.
const SMALL_MAPPING: usize = 16;

/// The entry index of each key name of a mapping: a list searched in order while the mapping
/// is small (most are, and comparing a few short names costs less than hashing each), a hash
/// map once it has more than [`SMALL_MAPPING`] keys (so a huge mapping stays linear).
#[derive(Default)]
struct KeyIndex {
    small: Vec<(String, usize)>,
    large: Option<HashMap<String, usize>>,
}

impl KeyIndex {
    /// Record `name` at `index`; the index it had before, if any.
    fn insert(&mut self, name: String, index: usize) -> Option<usize> {
        if let Some(large) = &mut self.large {
            return large.insert(name, index);
        }
        if let Some((_, at)) = self.small.iter_mut().find(|(known, _)| *known == name) {
            return Some(std::mem::replace(at, index));
        }
        self.small.push((name, index));
        if self.small.len() > SMALL_MAPPING {
            self.large = Some(self.small.drain(..).collect());
        }
        None
    }

    fn contains(&self, name: &str) -> bool {
        match &self.large {
            Some(large) => large.contains_key(name),
            None => self.small.iter().any(|(known, _)| known == name),
        }
    }
}

/// A `<<` entry, resolved when its mapping ends (explicit keys anywhere in it win).
struct Merge {
    key_span: Span,
    value: Node,
    /// Where in `entries` the merged entries go.
    position: usize,
}

struct Builder<'t> {
    text: &'t str,
    offsets: CharOffsets<'t>,
    file: YamlFile,
    stack: Vec<Frame>,
    root: Option<Node>,
    anchors: HashMap<usize, Anchored>,
    anchored_nodes: usize,
    expanded: usize,
    budget_exhausted: bool,
    /// End of the last thing read from the text; where searches for indicators start.
    last_end: usize,
    done: bool,
}

impl<'t> Builder<'t> {
    fn new(text: &'t str) -> Self {
        Self {
            text,
            offsets: CharOffsets::new(text),
            file: YamlFile::default(),
            stack: Vec::new(),
            root: None,
            anchors: HashMap::new(),
            anchored_nodes: 0,
            expanded: 0,
            budget_exhausted: false,
            last_end: 0,
            done: false,
        }
    }

    fn scan_error(&self, error: &ScanError) -> YamlError {
        let start = self.offsets.byte(error.marker().index());
        let end = self
            .text
            .get(start..)
            .and_then(|rest| rest.chars().next())
            .map_or(start, |c| start + c.len_utf8());
        YamlError {
            span: Span::new(start, end),
            message: error.info().to_string(),
        }
    }

    fn event(&mut self, event: Event<'_>, span: SaphyrSpan) -> Result<(), YamlError> {
        let start = self.offsets.byte(span.start.index());
        let end = self.offsets.byte(span.end.index()).max(start);
        match event {
            Event::Nothing | Event::StreamStart => {}
            Event::StreamEnd => self.done = true,
            Event::DocumentStart(_) => {
                // Anchors do not cross documents (saphyr's event iterator keeps them).
                self.anchors.clear();
                self.anchored_nodes = 0;
                self.last_end = self.last_end.max(end);
            }
            Event::DocumentEnd => {
                if let Some(root) = self.root.take() {
                    self.file.documents.push(root);
                }
                self.stack.clear();
            }
            Event::Alias(id) => self.alias(id, Span::new(start, end))?,
            Event::Scalar(value, style, anchor, tag) => {
                self.scalar(
                    value.into_owned(),
                    style,
                    anchor,
                    tag.as_deref(),
                    start,
                    end,
                )?;
            }
            Event::SequenceStart(anchor, tag) => {
                self.open(false, anchor, tag.as_deref(), start, end)?
            }
            Event::MappingStart(anchor, tag) => {
                self.open(true, anchor, tag.as_deref(), start, end)?
            }
            Event::SequenceEnd | Event::MappingEnd => self.close(end)?,
        }
        Ok(())
    }

    fn scalar(
        &mut self,
        value: String,
        style: SaphyrStyle,
        anchor: usize,
        tag: Option<&Tag>,
        start: usize,
        end: usize,
    ) -> Result<(), YamlError> {
        let has_props = anchor > 0 || tag.is_some();
        let (tag_text, content) = self.props(start, end, has_props, tag);
        let style = match style {
            SaphyrStyle::Plain => ScalarStyle::Plain,
            SaphyrStyle::SingleQuoted => ScalarStyle::SingleQuoted,
            SaphyrStyle::DoubleQuoted => ScalarStyle::DoubleQuoted,
            SaphyrStyle::Literal => ScalarStyle::Literal,
            SaphyrStyle::Folded => ScalarStyle::Folded,
        };
        let span = match style {
            ScalarStyle::Literal | ScalarStyle::Folded => {
                // saphyr starts a block scalar at its first content line; start at `|`/`>`.
                let from = if has_props { content } else { self.last_end };
                let indicator = self.find_indicator(from, b"|>").unwrap_or(content);
                let trimmed = self.trim_end(indicator, end);
                Span::new(indicator, trimmed.max(indicator + 1).min(self.text.len()))
            }
            _ if value.is_empty() && style == ScalarStyle::Plain && start == end => {
                // An empty value is reported at its `:`; put it just after the colon instead.
                let at = if self.text.as_bytes().get(content) == Some(&b':') {
                    content + 1
                } else {
                    content
                };
                Span::empty(at)
            }
            ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => {
                // saphyr may end a quoted scalar after the blanks that follow its closing quote.
                let start = content.min(end);
                Span::new(start, self.trim_end(start + 1, end))
            }
            _ => Span::new(content.min(end), end),
        };
        self.last_end = self.last_end.max(span.end);
        let node = Node {
            span,
            value: Value::Scalar(Scalar { value, style }),
            tag: tag_text,
            origin: None,
        };
        self.complete(node, anchor)
    }

    fn open(
        &mut self,
        mapping: bool,
        anchor: usize,
        tag: Option<&Tag>,
        start: usize,
        end: usize,
    ) -> Result<(), YamlError> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(YamlError {
                span: Span::new(start, end.max(start)),
                message: format!("nesting deeper than {MAX_DEPTH} levels"),
            });
        }
        let has_props = anchor > 0 || tag.is_some();
        let (tag_text, content) = self.props(start, end, has_props, tag);
        // A flow collection's start event covers its bracket (and any blanks after it); a block
        // collection's ends before its first key or item.
        let flow = content < end && matches!(self.text.as_bytes().get(content), Some(b'[' | b'{'));
        let node_start = if flow || mapping {
            content
        } else {
            // saphyr starts a block sequence at (or after) its first item; start at the `-`.
            let from = if has_props { content } else { self.last_end };
            self.find_indicator(from, b"-").unwrap_or(content)
        };
        self.last_end = self.last_end.max(if flow || !mapping {
            node_start + 1
        } else {
            node_start
        });
        let kind = if mapping {
            FrameKind::Mapping(MapFrame::default())
        } else {
            FrameKind::Sequence(Vec::new())
        };
        self.stack.push(Frame {
            start: node_start,
            flow,
            tag: tag_text,
            anchor,
            kind,
        });
        Ok(())
    }

    fn close(&mut self, end: usize) -> Result<(), YamlError> {
        let Some(frame) = self.stack.pop() else {
            return Err(YamlError {
                span: Span::empty(end),
                message: "unbalanced YAML events".to_string(),
            });
        };
        // Block collections end at the end of their last item, not at the next token.
        let end = if frame.flow {
            // saphyr's end mark for `]`/`}` is not always on the bracket; find it.
            self.find_closing(self.last_end).map_or(end, |at| at + 1)
        } else {
            self.last_end
        }
        .max(frame.start);
        self.last_end = self.last_end.max(end);
        let span = Span::new(frame.start, end);
        let value = match frame.kind {
            FrameKind::Sequence(items) => Value::Sequence(items),
            FrameKind::Mapping(map) => Value::Mapping(Arc::new(self.finish_mapping(map))),
        };
        let node = Node {
            span,
            value,
            tag: frame.tag,
            origin: None,
        };
        self.complete(node, frame.anchor)
    }

    /// A node is finished: remember it if anchored, and hand it to its parent.
    fn complete(&mut self, node: Node, anchor: usize) -> Result<(), YamlError> {
        if anchor > 0 {
            let (count, height) = measure(&node);
            if self.anchored_nodes + count > ALIAS_BUDGET {
                self.file.errors.push(YamlError {
                    span: node.span,
                    message: format!("anchored nodes exceed the budget of {ALIAS_BUDGET} nodes"),
                });
            } else {
                self.anchored_nodes += count;
                self.anchors.insert(
                    anchor,
                    Anchored {
                        node: node.clone(),
                        count,
                        height,
                    },
                );
            }
        }
        self.attach(node);
        Ok(())
    }

    fn attach(&mut self, node: Node) {
        let Some(frame) = self.stack.last_mut() else {
            self.root = Some(node);
            return;
        };
        match &mut frame.kind {
            FrameKind::Sequence(items) => items.push(node),
            FrameKind::Mapping(map) => match map.pending_key.take() {
                None => map.pending_key = Some(node),
                Some(key) => add_entry(map, key, node, &mut self.file.duplicate_keys),
            },
        }
    }

    fn alias(&mut self, id: usize, span: Span) -> Result<(), YamlError> {
        self.last_end = self.last_end.max(span.end);
        let placeholder = Node {
            span,
            value: Value::Scalar(Scalar {
                value: String::new(),
                style: ScalarStyle::Plain,
            }),
            tag: None,
            origin: Some(span),
        };
        let Some(anchored) = self.anchors.get(&id) else {
            let name = span.text(self.text);
            let message = if self.stack.iter().any(|frame| frame.anchor == id) {
                format!("alias `{name}` refers to a node that contains it")
            } else {
                format!("alias `{name}` refers to an anchor that is not available here")
            };
            self.file.errors.push(YamlError { span, message });
            self.attach(placeholder);
            return Ok(());
        };
        if self.stack.len() + anchored.height > MAX_DEPTH {
            return Err(YamlError {
                span,
                message: format!("nesting deeper than {MAX_DEPTH} levels (through an alias)"),
            });
        }
        if self.budget_exhausted || self.expanded + anchored.count > ALIAS_BUDGET {
            if !self.budget_exhausted {
                self.budget_exhausted = true;
                self.file.errors.push(YamlError {
                    span,
                    message: format!(
                        "alias expansion exceeds the budget of {ALIAS_BUDGET} nodes (possible alias bomb)"
                    ),
                });
            }
            self.attach(placeholder);
            return Ok(());
        }
        self.expanded += anchored.count;
        let mut node = anchored.node.clone();
        set_origin(&mut node, span);
        self.attach(node);
        Ok(())
    }

    /// Resolve `<<` merges and drop entries replaced by duplicates.
    fn finish_mapping(&mut self, map: MapFrame) -> Vec<Entry> {
        let MapFrame {
            entries,
            pending_key,
            mut keys,
            merges,
        } = map;
        let mut entries = entries;
        if let Some(key) = pending_key {
            // Cannot happen with well-formed events; keep the key with an empty value.
            let value = Node {
                span: Span::empty(key.span.end),
                value: Value::Scalar(Scalar {
                    value: String::new(),
                    style: ScalarStyle::Plain,
                }),
                tag: None,
                origin: None,
            };
            entries.push(Some(Entry { key, value }));
        }
        if merges.is_empty() {
            return entries.into_iter().flatten().collect();
        }
        // Merged entries grouped by where their `<<` was; earlier sources claim keys first.
        let mut inserted: Vec<(usize, Entry)> = Vec::new();
        for merge in merges {
            let sources: Vec<Node> = match merge.value.value {
                Value::Mapping(_) => vec![merge.value],
                Value::Sequence(items) => items,
                Value::Scalar(_) => {
                    self.file.errors.push(YamlError {
                        span: merge.value.span,
                        message: "a merge key `<<` needs a mapping or a list of mappings"
                            .to_string(),
                    });
                    continue;
                }
            };
            for source in sources {
                let Value::Mapping(source_entries) = source.value else {
                    self.file.errors.push(YamlError {
                        span: source.origin.unwrap_or(source.span),
                        message: "a merge key `<<` needs a mapping or a list of mappings"
                            .to_string(),
                    });
                    continue;
                };
                // Merged entries get new origins: take them out (copied if still shared).
                for mut entry in Arc::unwrap_or_clone(source_entries) {
                    let name = key_name(&entry.key);
                    if let Some(name) = name {
                        if keys.contains(&name) {
                            continue;
                        }
                        keys.insert(name, usize::MAX);
                    }
                    set_origin(&mut entry.key, merge.key_span);
                    set_origin(&mut entry.value, merge.key_span);
                    inserted.push((merge.position, entry));
                }
            }
        }
        let mut result = Vec::with_capacity(entries.len() + inserted.len());
        let mut merged = inserted.into_iter().peekable();
        for (index, entry) in entries.into_iter().enumerate() {
            while let Some((_, entry)) = merged.next_if(|(position, _)| *position <= index) {
                result.push(entry);
            }
            result.extend(entry);
        }
        result.extend(merged.map(|(_, entry)| entry));
        result
    }

    /// Skip an anchor and a tag written at `start`; returns the tag as written and where the
    /// node's content begins.
    fn props(
        &self,
        start: usize,
        end: usize,
        has_props: bool,
        tag: Option<&Tag>,
    ) -> (Option<String>, usize) {
        if !has_props {
            return (None, start);
        }
        let bytes = self.text.as_bytes();
        let mut pos = start;
        let mut tag_text = None;
        for _ in 0..2 {
            pos = self.skip_trivia(pos);
            match bytes.get(pos) {
                Some(b'&') => pos = token_end(bytes, pos),
                Some(b'!') => {
                    let tag_end = if bytes.get(pos + 1) == Some(&b'<') {
                        bytes
                            .get(pos..)
                            .and_then(|rest| rest.iter().position(|b| *b == b'>'))
                            .map_or_else(|| token_end(bytes, pos), |i| pos + i + 1)
                    } else {
                        token_end(bytes, pos)
                    };
                    tag_text = self.text.get(pos..tag_end).map(str::to_string);
                    pos = tag_end;
                }
                _ => break,
            }
        }
        let content = self.skip_trivia(pos).min(end.max(start));
        let content = if self.text.is_char_boundary(content) {
            content
        } else {
            start
        };
        if tag_text.is_none() {
            tag_text = tag.map(tag_as_written);
        }
        (tag_text, content)
    }

    /// Skip blanks, line breaks and comments.
    fn skip_trivia(&self, mut pos: usize) -> usize {
        let bytes = self.text.as_bytes();
        while let Some(&b) = bytes.get(pos) {
            match b {
                b' ' | b'\t' | b'\r' | b'\n' => pos += 1,
                b'#' => {
                    while bytes.get(pos).is_some_and(|b| *b != b'\n') {
                        pos += 1;
                    }
                }
                _ => break,
            }
        }
        pos
    }

    /// The first of `targets` from `from`, past blanks, comments and the `:`, `?`, `-`
    /// indicators that may come before a node. `None` when something else comes first.
    fn find_indicator(&self, from: usize, targets: &[u8]) -> Option<usize> {
        let bytes = self.text.as_bytes();
        let mut pos = from;
        let mut in_comment = false;
        while let Some(&b) = bytes.get(pos) {
            if in_comment {
                in_comment = b != b'\n';
            } else if targets.contains(&b) {
                return Some(pos);
            } else {
                match b {
                    b' ' | b'\t' | b'\r' | b'\n' | b':' | b'?' | b'-' => {}
                    b'#' => in_comment = true,
                    _ => return None,
                }
            }
            pos += 1;
        }
        None
    }

    /// The `]` or `}` closing a flow collection whose last item ended at `from`.
    fn find_closing(&self, from: usize) -> Option<usize> {
        let bytes = self.text.as_bytes();
        let mut pos = from;
        let mut in_comment = false;
        while let Some(&b) = bytes.get(pos) {
            if in_comment {
                in_comment = b != b'\n';
            } else {
                match b {
                    b']' | b'}' => return Some(pos),
                    b' ' | b'\t' | b'\r' | b'\n' | b',' => {}
                    b'#' => in_comment = true,
                    _ => return None,
                }
            }
            pos += 1;
        }
        None
    }

    /// `end` moved back over trailing blanks and line breaks, not before `floor`.
    fn trim_end(&self, floor: usize, end: usize) -> usize {
        let bytes = self.text.as_bytes();
        let mut end = end.min(bytes.len());
        while end > floor && matches!(bytes.get(end - 1), Some(b' ' | b'\t' | b'\r' | b'\n')) {
            end -= 1;
        }
        end
    }
}

/// Add `key: value` to a mapping being read: `<<` is kept aside, a duplicate replaces the
/// earlier entry and is recorded.
fn add_entry(map: &mut MapFrame, key: Node, value: Node, duplicates: &mut Vec<DuplicateKey>) {
    if is_merge_key(&key) {
        map.merges.push(Merge {
            key_span: key.span,
            value,
            position: map.entries.len(),
        });
        return;
    }
    if let Some(name) = key_name(&key) {
        let index = map.entries.len();
        if let Some(previous) = map.keys.insert(name.clone(), index)
            && let Some(slot) = map.entries.get_mut(previous)
            && let Some(old) = slot.take()
        {
            duplicates.push(DuplicateKey {
                key: name,
                first: old.key.span,
                duplicate: key.span,
                first_value: old.value.span,
                duplicate_value: value.span,
            });
        }
    }
    map.entries.push(Some(Entry { key, value }));
}

fn is_merge_key(key: &Node) -> bool {
    let Some(scalar) = key.as_scalar() else {
        return false;
    };
    scalar.style == ScalarStyle::Plain
        && scalar.value == "<<"
        && key
            .tag
            .as_deref()
            .is_none_or(|tag| matches!(tag, "!!merge" | "tag:yaml.org,2002:merge"))
}

/// The text a key is compared by for duplicates and merges; `None` for collection keys.
fn key_name(key: &Node) -> Option<String> {
    key.as_scalar().map(|scalar| scalar.value.clone())
}

fn tag_as_written(tag: &Tag) -> String {
    if tag.handle == "tag:yaml.org,2002:" {
        format!("!!{}", tag.suffix)
    } else if tag.handle == "!" {
        format!("!{}", tag.suffix)
    } else {
        format!("{}{}", tag.handle, tag.suffix)
    }
}

/// End of an anchor or tag token: the next blank or flow indicator.
fn token_end(bytes: &[u8], start: usize) -> usize {
    let mut pos = start;
    while let Some(&b) = bytes.get(pos) {
        if matches!(
            b,
            b' ' | b'\t' | b'\r' | b'\n' | b',' | b'[' | b']' | b'{' | b'}'
        ) {
            break;
        }
        pos += 1;
    }
    pos
}

/// Weight (nodes, and scalar text by [`SCALAR_BYTES_PER_NODE`]) and height of a tree, iteratively.
fn measure(node: &Node) -> (usize, usize) {
    let mut count = 0;
    let mut height = 0;
    let mut pending = vec![(node, 1)];
    while let Some((node, depth)) = pending.pop() {
        count += 1;
        height = height.max(depth);
        match &node.value {
            Value::Scalar(scalar) => count += scalar.value.len() / SCALAR_BYTES_PER_NODE,
            Value::Sequence(items) => pending.extend(items.iter().map(|item| (item, depth + 1))),
            Value::Mapping(entries) => {
                for entry in entries.iter() {
                    pending.push((&entry.key, depth + 1));
                    pending.push((&entry.value, depth + 1));
                }
            }
        }
    }
    (count, height)
}

/// Mark every node of a copied tree with where it was referenced.
fn set_origin(node: &mut Node, origin: Span) {
    node.visit_mut(|node| node.origin = Some(origin));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn char_offsets_match_char_indices_across_checkpoints() {
        let text = "aé😀b".repeat(50) + "\u{feff}x";
        let offsets = CharOffsets::new(&text);
        let expected: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        for (index, byte) in expected.iter().enumerate() {
            assert_eq!(offsets.byte(index), *byte, "char {index}");
        }
        assert_eq!(offsets.byte(expected.len()), text.len());
        assert_eq!(offsets.byte(expected.len() + 100), text.len());
    }

    #[test]
    fn spans_after_many_multi_byte_characters() {
        let text = format!("# {}\nkey: välue\n", "ü".repeat(300));
        let file = parse(&text);
        let entry = file.documents[0].entry("key").unwrap();
        assert_eq!(entry.key.span.text(&text), "key");
        assert_eq!(entry.value.span.text(&text), "välue");
    }

    #[test]
    fn indicator_search_skips_comments() {
        let text = "a: # not | this\n  |\n  x\n";
        let file = parse(text);
        let value = file.documents[0].get("a").unwrap();
        assert_eq!(value.span.text(text), "|\n  x");
    }
}
