//! The spanned YAML tree: spans slice the text to what was written, anchors, merges,
//! duplicates, documents, styles, and hostile input (alias bombs, deep nesting, garbage).

use plimsoll::syntax::yaml::{self, Node, ScalarStyle, Value, YamlFile};

fn parse_ok(text: &str) -> YamlFile {
    let file = yaml::parse(text);
    assert!(
        file.errors.is_empty(),
        "unexpected errors: {:?}",
        file.errors
    );
    file
}

fn root(file: &YamlFile) -> &Node {
    file.documents.first().expect("a document")
}

/// The text a node's span covers.
fn text_of<'t>(text: &'t str, node: &Node) -> &'t str {
    node.span.text(text)
}

#[test]
fn keys_values_and_collections_slice_to_their_text() {
    let text =
        "a: 1\nb:\n  c: [x, 'y', \"z\"]\n  d:\n  - e\n  - f: g\n    h: i\n# trailing comment\n";
    let file = parse_ok(text);
    let doc = root(&file);
    let a = doc.entry("a").unwrap();
    assert_eq!(text_of(text, &a.key), "a");
    assert_eq!(text_of(text, &a.value), "1");
    let b = doc.get("b").unwrap();
    assert_eq!(
        text_of(text, b),
        "c: [x, 'y', \"z\"]\n  d:\n  - e\n  - f: g\n    h: i"
    );
    let c = b.get("c").unwrap();
    assert_eq!(text_of(text, c), "[x, 'y', \"z\"]");
    let items = c.as_sequence().unwrap();
    assert_eq!(text_of(text, &items[1]), "'y'");
    assert_eq!(items[1].as_str(), Some("y"));
    assert_eq!(text_of(text, &items[2]), "\"z\"");
    let d = b.get("d").unwrap();
    assert_eq!(text_of(text, d), "- e\n  - f: g\n    h: i");
    let second = &d.as_sequence().unwrap()[1];
    assert_eq!(text_of(text, second), "f: g\n    h: i");
    assert_eq!(
        text_of(text, doc),
        text.trim_end()
            .trim_end_matches("# trailing comment")
            .trim_end()
    );
}

#[test]
fn nested_block_sequences_start_at_their_dash() {
    let text = "a:\n- - - x\n  - y\n";
    let file = parse_ok(text);
    let outer = root(&file).get("a").unwrap();
    assert_eq!(text_of(text, outer), "- - - x\n  - y");
    let middle = &outer.as_sequence().unwrap()[0];
    assert_eq!(text_of(text, middle), "- - x\n  - y");
    let inner = &middle.as_sequence().unwrap()[0];
    assert_eq!(text_of(text, inner), "- x");
}

#[test]
fn block_scalars_span_from_indicator_to_last_content() {
    let text = "lit: |  # a | comment\n  line1\n  line2\n\nfold: >-\n  f1\n  f2\nseq:\n  - |\n    inner\nafter: 1\n";
    let file = parse_ok(text);
    let doc = root(&file);
    let lit = doc.get("lit").unwrap();
    assert_eq!(text_of(text, lit), "|  # a | comment\n  line1\n  line2");
    assert_eq!(lit.as_scalar().unwrap().style, ScalarStyle::Literal);
    assert_eq!(lit.as_str(), Some("line1\nline2\n"));
    let fold = doc.get("fold").unwrap();
    assert_eq!(text_of(text, fold), ">-\n  f1\n  f2");
    assert_eq!(fold.as_scalar().unwrap().style, ScalarStyle::Folded);
    assert_eq!(fold.as_str(), Some("f1 f2"));
    let inner = &doc.get("seq").unwrap().as_sequence().unwrap()[0];
    assert_eq!(text_of(text, inner), "|\n    inner");
}

#[test]
fn scalar_styles_and_raw_values_are_kept() {
    let text = "p: plain\ns: 'it''s'\nd: \"tab\\t\"\nn: 010\nb: yes\n";
    let file = parse_ok(text);
    let doc = root(&file);
    let style = |key: &str| doc.get(key).unwrap().as_scalar().unwrap().style;
    assert_eq!(style("p"), ScalarStyle::Plain);
    assert_eq!(style("s"), ScalarStyle::SingleQuoted);
    assert_eq!(style("d"), ScalarStyle::DoubleQuoted);
    assert_eq!(doc.get("s").unwrap().as_str(), Some("it's"));
    assert_eq!(doc.get("d").unwrap().as_str(), Some("tab\t"));
    assert_eq!(doc.get("n").unwrap().as_str(), Some("010"));
    assert_eq!(text_of(text, doc.get("s").unwrap()), "'it''s'");
}

#[test]
fn yaml11_booleans_are_strings_with_a_helper() {
    let text = "a: yes\nb: Off\nc: 'yes'\nd: true\ne: \"true\"\n";
    let file = parse_ok(text);
    let doc = root(&file);
    let scalar = |key: &str| doc.get(key).unwrap().as_scalar().unwrap().clone();
    assert_eq!(scalar("a").yaml11_bool(), Some(true));
    assert_eq!(scalar("a").as_bool(), None);
    assert_eq!(scalar("b").yaml11_bool(), Some(false));
    assert_eq!(scalar("c").yaml11_bool(), None);
    assert_eq!(scalar("d").as_bool(), Some(true));
    assert_eq!(scalar("e").as_bool(), None);
}

#[test]
fn tags_are_kept_as_written_and_props_are_outside_the_span() {
    let text =
        "a: !!str 123\nb: !reset []\nc: &x !custom\n  k: v\nd: !<tag:example.com,2000:x> z\n";
    let file = parse_ok(text);
    let doc = root(&file);
    let a = doc.get("a").unwrap();
    assert_eq!(a.tag.as_deref(), Some("!!str"));
    assert_eq!(text_of(text, a), "123");
    let b = doc.get("b").unwrap();
    assert_eq!(b.tag.as_deref(), Some("!reset"));
    assert_eq!(text_of(text, b), "[]");
    let c = doc.get("c").unwrap();
    assert_eq!(c.tag.as_deref(), Some("!custom"));
    assert_eq!(text_of(text, c), "k: v");
    assert_eq!(
        doc.get("d").unwrap().tag.as_deref(),
        Some("!<tag:example.com,2000:x>")
    );
    assert_eq!(doc.get("a").unwrap().as_str(), Some("123"));
}

#[test]
fn multi_byte_characters_before_a_span() {
    let text = "\u{feff}é: 'ünïcödé 🐳'\nkey: value\nlist: [ä, 😀x]\nblock: |\n  ß\n";
    let file = parse_ok(text);
    let doc = root(&file);
    let first = &doc.as_mapping().unwrap()[0];
    assert_eq!(text_of(text, &first.key), "é");
    assert_eq!(text_of(text, &first.value), "'ünïcödé 🐳'");
    let key = doc.entry("key").unwrap();
    assert_eq!(text_of(text, &key.key), "key");
    assert_eq!(key.key.span.start, text.find("key").unwrap());
    assert_eq!(text_of(text, &key.value), "value");
    let list = doc.get("list").unwrap();
    assert_eq!(text_of(text, list), "[ä, 😀x]");
    assert_eq!(text_of(text, &list.as_sequence().unwrap()[1]), "😀x");
    assert_eq!(text_of(text, doc.get("block").unwrap()), "|\n  ß");
}

#[test]
fn crlf_line_endings() {
    let text = "a: 1\r\nb:\r\n  - x\r\n  - y\r\n";
    let file = parse_ok(text);
    let b = root(&file).get("b").unwrap();
    assert_eq!(text_of(text, b), "- x\r\n  - y");
    assert_eq!(text_of(text, &b.as_sequence().unwrap()[1]), "y");
}

#[test]
fn empty_values_sit_after_the_colon() {
    let text = "a:\nb: 1\n";
    let file = parse_ok(text);
    let a = root(&file).get("a").unwrap();
    assert!(a.is_null());
    assert_eq!(a.span, plimsoll::Span::empty(2));
}

#[test]
fn aliases_copy_the_anchored_node_with_origin() {
    let text = "base: &b\n  k: v\n  list: [1, 2]\nuse: *b\n";
    let file = parse_ok(text);
    let doc = root(&file);
    let used = doc.get("use").unwrap();
    let alias_at = text.find("*b").unwrap();
    assert_eq!(used.origin.map(|o| o.text(text)), Some("*b"));
    assert_eq!(used.origin.unwrap().start, alias_at);
    // The copy keeps the definition's spans.
    assert_eq!(used.span, doc.get("base").unwrap().span);
    assert_eq!(used.get("k").unwrap().as_str(), Some("v"));
    assert_eq!(used.get("list").unwrap().origin.unwrap().start, alias_at);
    assert!(doc.get("base").unwrap().origin.is_none());
}

#[test]
fn merge_keys_explicit_wins_and_earlier_source_wins() {
    let text = "\
a: &a {x: 1, y: 1, z: 1}
b: &b {y: 2, w: 2}
m:
  x: explicit
  <<: [*a, *b]
  q: later
";
    let file = parse_ok(text);
    let m = root(&file).get("m").unwrap();
    assert_eq!(m.get("x").unwrap().as_str(), Some("explicit"));
    assert!(m.get("x").unwrap().origin.is_none());
    assert_eq!(m.get("y").unwrap().as_str(), Some("1"));
    assert_eq!(m.get("z").unwrap().as_str(), Some("1"));
    assert_eq!(m.get("w").unwrap().as_str(), Some("2"));
    assert_eq!(m.get("q").unwrap().as_str(), Some("later"));
    assert!(m.get("<<").is_none());
    let merge_key = text.find("<<").unwrap();
    let y = m.entry("y").unwrap();
    assert_eq!(y.key.origin.map(|o| o.text(text)), Some("<<"));
    assert_eq!(y.value.origin.unwrap().start, merge_key);
    // Each key once; overriding a merged key is not a duplicate.
    let keys: Vec<_> = m
        .as_mapping()
        .unwrap()
        .iter()
        .map(|e| e.key.as_str().unwrap())
        .collect();
    assert_eq!(keys, ["x", "y", "z", "w", "q"]);
    assert!(file.duplicate_keys.is_empty());
}

#[test]
fn merge_of_a_single_alias_and_explicit_key_after_it() {
    let text = "base: &base\n  image: a\n  restart: always\nsvc:\n  <<: *base\n  image: b\n";
    let file = parse_ok(text);
    let svc = root(&file).get("svc").unwrap();
    assert_eq!(svc.get("image").unwrap().as_str(), Some("b"));
    assert_eq!(svc.get("restart").unwrap().as_str(), Some("always"));
    assert_eq!(svc.as_mapping().unwrap().len(), 2);
    assert!(file.duplicate_keys.is_empty());
}

#[test]
fn merge_of_a_scalar_is_an_error() {
    let file = yaml::parse("a: &a 1\nb:\n  <<: *a\n");
    assert_eq!(file.errors.len(), 1, "{:?}", file.errors);
    assert!(file.errors[0].message.contains("merge"));
}

#[test]
fn duplicate_keys_keep_the_later_one() {
    let text = "image: a\nports: []\nimage: b\n";
    let file = yaml::parse(text);
    assert!(file.errors.is_empty());
    let doc = root(&file);
    assert_eq!(doc.get("image").unwrap().as_str(), Some("b"));
    assert_eq!(doc.as_mapping().unwrap().len(), 2);
    assert_eq!(file.duplicate_keys.len(), 1);
    let dup = &file.duplicate_keys[0];
    assert_eq!(dup.key, "image");
    assert_eq!(dup.first.start, 0);
    assert_eq!(dup.duplicate.start, text.rfind("image").unwrap());
    assert_eq!(dup.duplicate.text(text), "image");
}

#[test]
fn duplicate_keys_are_found_in_mappings_of_every_size() {
    // Small mappings search their keys in order, large ones hash them: the same answers on
    // both sides of the switch, and across it.
    for size in [1, 2, 15, 16, 17, 18, 40] {
        let mut text: String = (0..size).map(|i| format!("k{i}: {i}\n")).collect();
        text.push_str("k0: again\n");
        let last = size - 1;
        text.push_str(&format!("k{last}: last\n"));
        let file = yaml::parse(&text);
        assert!(file.errors.is_empty(), "{size}: {:?}", file.errors);
        let doc = root(&file);
        assert_eq!(doc.as_mapping().unwrap().len(), size, "{size}");
        assert_eq!(
            doc.get("k0").unwrap().as_str(),
            Some(if size == 1 { "last" } else { "again" })
        );
        assert_eq!(doc.get(&format!("k{last}")).unwrap().as_str(), Some("last"));
        let found: Vec<&str> = file.duplicate_keys.iter().map(|d| d.key.as_str()).collect();
        let last_key = format!("k{last}");
        let expected = vec!["k0", last_key.as_str()];
        assert_eq!(found, expected, "{size}");
    }
    // A merge does not override keys of the mapping, however many it has.
    let mut text = String::from("base: &b\n  x: merged\n  y: merged\nm:\n  <<: *b\n");
    text.extend((0..20).map(|i| format!("  k{i}: {i}\n")));
    text.push_str("  x: own\n");
    let file = yaml::parse(&text);
    let m = root(&file).get("m").unwrap();
    assert_eq!(m.get("x").unwrap().as_str(), Some("own"));
    assert_eq!(m.get("y").unwrap().as_str(), Some("merged"));
    assert_eq!(m.as_mapping().unwrap().len(), 22);
}

#[test]
fn multiple_documents() {
    let text = "a: 1\n---\nb: 2\n--- x\n...\n";
    let file = parse_ok(text);
    assert_eq!(file.documents.len(), 3);
    assert_eq!(file.documents[1].get("b").unwrap().as_str(), Some("2"));
    assert_eq!(file.documents[2].as_str(), Some("x"));
}

#[test]
fn anchors_do_not_cross_documents() {
    let file = yaml::parse("a: &x 1\n---\nb: *x\n");
    assert_eq!(file.documents.len(), 2);
    assert_eq!(file.errors.len(), 1, "{:?}", file.errors);
}

#[test]
fn recursive_alias_is_an_error_not_a_loop() {
    let file = yaml::parse("a: &a [1, *a]\n");
    assert!(!file.errors.is_empty());
}

#[test]
fn syntax_errors_keep_earlier_documents() {
    let text = "a: 1\n---\nb: [1, 2\nc: 3\n";
    let file = yaml::parse(text);
    assert_eq!(file.documents.len(), 1);
    assert_eq!(file.errors.len(), 1);
    let error = &file.errors[0];
    assert!(!error.message.is_empty());
    assert!(error.span.start > text.find("---").unwrap(), "{error:?}");
    assert!(error.span.end <= text.len());
}

#[test]
fn tabs_and_unclosed_flow_are_errors() {
    for text in [
        "a:\n\t- b\n",
        "a: {b: [1, 2\n",
        "a: 'unterminated\n",
        "a: b: c\n",
        "- a\nb: c\n",
    ] {
        let file = yaml::parse(text);
        assert!(!file.errors.is_empty(), "no error for {text:?}");
        for error in &file.errors {
            assert!(error.span.end <= text.len() && text.is_char_boundary(error.span.start));
        }
    }
}

#[test]
fn error_spans_are_bytes_after_multi_byte_text() {
    let text = "é: ü\nb: [1, 2\n";
    let file = yaml::parse(text);
    assert_eq!(file.errors.len(), 1);
    let span = file.errors[0].span;
    assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
    assert!(span.start >= text.find("b:").unwrap());
}

#[test]
fn random_bytes_do_not_panic() {
    // A small deterministic generator: the same inputs on every run.
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let alphabet: Vec<char> = "ab:-[]{},&*!|>'\"#\n\t ?%@`\\<é😀\r.0".chars().collect();
    for _ in 0..3000 {
        let mut text = String::new();
        for _ in 0..(state % 60) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            text.push(alphabet[(state % alphabet.len() as u64) as usize]);
        }
        let file = yaml::parse(&text);
        for error in &file.errors {
            assert!(
                text.is_char_boundary(error.span.start) && text.is_char_boundary(error.span.end)
            );
        }
        state = state.wrapping_add(1);
    }
}

#[test]
fn billion_laughs_is_rejected_quickly() {
    let mut text = String::from("l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for level in 1..=9 {
        let prev = level - 1;
        let refs = vec![format!("*l{prev}"); 9].join(", ");
        text.push_str(&format!("l{level}: &l{level} [{refs}]\n"));
    }
    let file = yaml::parse(&text);
    let bomb: Vec<_> = file
        .errors
        .iter()
        .filter(|e| {
            e.message.contains("alias expansion exceeds the budget")
                && e.message.contains("alias bomb")
        })
        .collect();
    assert_eq!(bomb.len(), 1, "{:?}", file.errors);
}

#[test]
fn merge_bomb_is_rejected_quickly() {
    let mut text = String::from("m0: &m0 {a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8}\n");
    for level in 1..=12 {
        let prev = level - 1;
        text.push_str(&format!(
            "m{level}: &m{level}\n  <<: *m{prev}\n  x: *m{prev}\n  y: *m{prev}\n  z: *m{prev}\n"
        ));
    }
    let file = yaml::parse(&text);
    assert!(file.errors.iter().any(|e| e.message.contains("alias bomb")));
}

/// Run `f` on a thread with a 2 MiB stack, as the smallest stack a caller may give us.
fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn deep_flow_nesting_does_not_overflow() {
    on_small_stack(|| {
        let text = "[".repeat(100_000);
        let file = yaml::parse(&text);
        assert!(!file.errors.is_empty());
        let text = format!("{}{}", "[".repeat(200), "]".repeat(200));
        let file = yaml::parse(&text);
        assert!(file.errors.is_empty(), "{:?}", file.errors);
        let json = serde_json::to_string(&file).unwrap();
        assert!(json.len() > 200);
    });
}

#[test]
fn deep_block_nesting_does_not_overflow() {
    on_small_stack(|| {
        // Explicit keys nest block mappings on one line.
        let text = "? ".repeat(100_000) + "x\n";
        let file = yaml::parse(&text);
        assert!(!file.errors.is_empty());
        let text = "a: ".to_string() + &"{b: ".repeat(100_000);
        let file = yaml::parse(&text);
        assert!(!file.errors.is_empty());
        let text = "- ".repeat(100_000) + "x\n";
        let file = yaml::parse(&text);
        assert!(
            file.errors.iter().any(|e| e.message.contains("nesting")),
            "{:?}",
            file.errors
        );
        let mut text = String::new();
        for level in 0..3000 {
            text.push_str(&" ".repeat(level));
            text.push_str("a:\n");
        }
        let file = yaml::parse(&text);
        assert!(
            file.errors.iter().any(|e| e.message.contains("nesting")),
            "{:?}",
            file.errors
        );
        // Within the limit, the tree is built, cloned, compared and dropped on this stack.
        let mut text = String::new();
        for level in 0..300 {
            text.push_str(&" ".repeat(level));
            text.push_str("a:\n");
        }
        let file = yaml::parse(&text);
        assert!(file.errors.is_empty(), "{:?}", file.errors);
        let copy = file.documents.clone();
        assert_eq!(copy, file.documents);
        // Just under the limit: every derived (recursive) trait still fits the small stack.
        let text = "- ".repeat(yaml::MAX_DEPTH - 1) + "x\n";
        let file = yaml::parse(&text);
        assert!(file.errors.is_empty(), "{:?}", file.errors);
        let json = serde_json::to_string(&file).unwrap();
        assert!(json.contains("\"x\""));
        assert!(format!("{file:?}").len() > yaml::MAX_DEPTH);
        assert_eq!(file.documents.clone(), file.documents);
    });
}

#[test]
fn deep_alias_nesting_is_bounded() {
    on_small_stack(|| {
        let inner = format!("{}{}", "[".repeat(250), "]".repeat(250));
        let text = format!(
            "a: &a {inner}\nb: {}*a{}\n",
            "[".repeat(250),
            "]".repeat(250)
        );
        let file = yaml::parse(&text);
        assert!(
            file.errors.iter().any(|e| e.message.contains("nesting")),
            "{:?}",
            file.errors
        );
    });
}

#[test]
fn empty_and_comment_only_input() {
    assert!(yaml::parse("").documents.is_empty());
    let file = yaml::parse("# only a comment\n");
    assert!(file.errors.is_empty());
    assert!(file.documents.is_empty());
}

#[test]
fn mapping_values_are_mappings() {
    let file = parse_ok("a: {b: c}\n");
    assert!(matches!(
        root(&file).get("a").unwrap().value,
        Value::Mapping(_)
    ));
}

#[test]
fn flow_collections_with_blanks_inside_the_brackets() {
    let text = "a: [ test ]\nb: { c: d }  \ne: [ \"q\" , 'r' ]\nf: [x, {g: h}, i: j]\n";
    let file = parse_ok(text);
    let doc = root(&file);
    assert_eq!(text_of(text, doc.get("a").unwrap()), "[ test ]");
    assert_eq!(text_of(text, doc.get("b").unwrap()), "{ c: d }");
    let e = doc.get("e").unwrap();
    assert_eq!(text_of(text, e), "[ \"q\" , 'r' ]");
    assert_eq!(text_of(text, &e.as_sequence().unwrap()[0]), "\"q\"");
    assert_eq!(text_of(text, &e.as_sequence().unwrap()[1]), "'r'");
    let f = doc.get("f").unwrap().as_sequence().unwrap();
    assert_eq!(text_of(text, &f[1]), "{g: h}");
    // A single-pair mapping written inside a flow sequence has no braces.
    assert_eq!(text_of(text, &f[2]), "i: j");
}

#[test]
fn block_mapping_with_a_flow_key() {
    let text = "[a, b]: c\nd: e\n";
    let file = parse_ok(text);
    let doc = root(&file);
    assert_eq!(text_of(text, doc), "[a, b]: c\nd: e");
    let first = &doc.as_mapping().unwrap()[0];
    assert_eq!(text_of(text, &first.key), "[a, b]");
    assert_eq!(first.value.as_str(), Some("c"));
}
