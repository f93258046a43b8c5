//! Helpers of the unit tests.

/// `count` texts made of 0 to `max_pieces - 1` of `pieces` each, picked by a fixed xorshift
/// sequence (the same texts every run): the generated inputs of the tests that hold a quick
/// path to the slow one it stands for.
pub fn texts_of<'a>(
    pieces: &'a [&'a str],
    count: usize,
    max_pieces: u64,
) -> impl Iterator<Item = String> + 'a {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    (0..count).map(move |_| {
        let mut text = String::new();
        for _ in 0..(state % max_pieces) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            text.push_str(pieces[(state % pieces.len() as u64) as usize]);
        }
        state = state.wrapping_mul(0x9e37_79b9_7f4a_7c15).wrapping_add(1);
        text
    })
}
