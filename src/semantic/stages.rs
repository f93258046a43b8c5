//! The stage graph: stages by name, the FROM chain through earlier stages, the stages built on
//! each stage, which stages reach the final image, and what a base image says about its platform.

use crate::syntax::dockerfile::{Dockerfile, Stage};
use crate::syntax::image::ImageRef;

/// The stage and the stages it is built on through `FROM <stage>`, nearest first. Stage
/// references only point backwards, so the walk ends after at most `stage.index + 1` steps
/// whatever the model says.
pub fn ancestors<'a>(
    dockerfile: &'a Dockerfile,
    stage: &'a Stage,
) -> impl Iterator<Item = &'a Stage> + 'a {
    std::iter::successors(Some(stage), move |current| dockerfile.base_stage(current))
}

/// The stages as a forest: a stage's children are the stages built on it through
/// `FROM <stage>`, the roots are the stages built on an image, `scratch` or an unresolved base.
/// For walks that carry what a stage inherits down to the stages built on it.
pub struct StageForest {
    /// Per stage, the indices of the stages built on it, in file order.
    pub children: Vec<Vec<usize>>,
    /// The indices of the stages not built on another stage, in file order.
    pub roots: Vec<usize>,
}

impl StageForest {
    pub fn new(dockerfile: &Dockerfile) -> Self {
        let mut children = vec![Vec::new(); dockerfile.stages.len()];
        let mut roots = Vec::new();
        for stage in &dockerfile.stages {
            match dockerfile.base_stage(stage) {
                Some(base) => {
                    if let Some(built_on_base) = children.get_mut(base.index) {
                        built_on_base.push(stage.index);
                    }
                }
                None => roots.push(stage.index),
            }
        }
        Self { children, roots }
    }
}

/// The stages by name, for rules that look a name up per instruction (a linear search per
/// `COPY --from` made 10,000 stages quadratic). BuildKit compares stage names
/// case-insensitively; the first stage with a name wins.
pub struct StageNames<'a>(std::collections::HashMap<String, &'a Stage>);

impl<'a> StageNames<'a> {
    pub fn new(dockerfile: &'a Dockerfile) -> Self {
        let mut names = std::collections::HashMap::with_capacity(dockerfile.stages.len());
        for stage in &dockerfile.stages {
            if let Some(name) = &stage.name {
                names
                    .entry(name.value.to_ascii_lowercase())
                    .or_insert(stage);
            }
        }
        Self(names)
    }

    /// The stage named `name`.
    pub fn get(&self, name: &str) -> Option<&'a Stage> {
        self.0.get(&name.to_ascii_lowercase()).copied()
    }
}

/// For each stage, whether it reaches the image: the final stage and the stages it is built on
/// through `FROM <stage>`. Builder stages (and their caches) never reach the image.
pub fn reaches_image(dockerfile: &Dockerfile) -> Vec<bool> {
    let mut marks = vec![false; dockerfile.stages.len()];
    if let Some(last) = dockerfile.final_stage() {
        for stage in ancestors(dockerfile, last) {
            if let Some(mark) = marks.get_mut(stage.index) {
                *mark = true;
            }
        }
    }
    marks
}

/// Whether an image is a Windows image (Windows Server Core, Nano Server, `windows`), by its
/// repository name: the one detection every rule uses.
pub fn is_windows_image(image: &ImageRef) -> bool {
    let repository = image.repository.to_ascii_lowercase();
    repository.contains("windows")
        || repository.contains("nanoserver")
        || repository.contains("servercore")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ancestors_follow_from_stage_and_final_chain_reaches_image() {
        let dockerfile = crate::syntax::dockerfile::parse(
            "FROM alpine AS base\nFROM base AS mid\nFROM golang AS tools\nFROM mid\n",
        );
        let last = dockerfile.stages.last().unwrap();
        let chain: Vec<usize> = ancestors(&dockerfile, last).map(|s| s.index).collect();
        assert_eq!(chain, vec![3, 1, 0]);
        assert_eq!(reaches_image(&dockerfile), vec![true, true, false, true]);
        let forest = StageForest::new(&dockerfile);
        assert_eq!(forest.roots, vec![0, 2]);
        assert_eq!(forest.children, vec![vec![1], vec![3], vec![], vec![]]);
    }
}
