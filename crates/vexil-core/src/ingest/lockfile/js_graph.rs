//! Scope from the dependency graph, for lockfiles that don't flag dev and optional packages
//! themselves (pnpm 9, bun): a package the project's runtime roots reach through required edges
//! is runtime; through an optional edge, optional; reached only from development roots, dev.
//! Cycles are normal in npm graphs: each pass visits a package once.

use crate::model::{Dependency, Inventory, Scope};

/// Edges between a parser's packages, by index.
#[derive(Debug)]
pub(super) struct Graph {
    /// `(to, optional)` per package.
    edges: Vec<Vec<(usize, bool)>>,
}

impl Graph {
    pub(super) fn new(packages: usize) -> Graph {
        Graph {
            edges: vec![Vec::new(); packages],
        }
    }

    pub(super) fn add(&mut self, from: usize, to: usize, optional: bool) {
        if let Some(out) = self.edges.get_mut(from) {
            out.push((to, optional));
        }
    }

    /// Each package's scope given the roots the project declares (its `dependencies` are
    /// runtime roots, `optionalDependencies` optional, `devDependencies` dev). Packages no root
    /// reaches get `None`.
    pub(super) fn scopes(&self, roots: &[(usize, Scope)]) -> Vec<Option<Scope>> {
        let mut scope = vec![None; self.edges.len()];
        let passes = [
            (&[Scope::Runtime][..], Scope::Runtime, false),
            (
                &[Scope::Runtime, Scope::Optional][..],
                Scope::Optional,
                true,
            ),
            (&[Scope::Dev][..], Scope::Dev, true),
        ];
        for (from, give, through_optional) in passes {
            let mut stack: Vec<usize> = roots
                .iter()
                .filter(|(_, s)| from.contains(s))
                .map(|&(i, _)| i)
                .collect();
            let mut seen = vec![false; self.edges.len()];
            while let Some(i) = stack.pop() {
                match seen.get_mut(i) {
                    Some(s @ false) => *s = true,
                    _ => continue,
                }
                if let Some(slot @ None) = scope.get_mut(i) {
                    *slot = Some(give);
                }
                let next = self.edges.get(i).into_iter().flatten();
                stack.extend(
                    next.filter(|(_, optional)| through_optional || !optional)
                        .map(|&(to, _)| to),
                );
            }
        }
        scope
    }
}

/// Sets each component's `direct` and `scope` (indexes as in `inv.components`) and adds the
/// edges between component indexes as purl dependencies.
pub(super) fn apply(
    inv: &mut Inventory,
    direct: Vec<bool>,
    scope: Vec<Option<Scope>>,
    edges: Vec<(usize, usize)>,
) {
    for ((c, d), s) in inv.components.iter_mut().zip(direct).zip(scope) {
        c.direct = Some(d);
        c.scope = s;
    }
    let purl = |i: usize| {
        inv.components
            .get(i)
            .map(|c| c.purl.clone())
            .unwrap_or_default()
    };
    let deps: Vec<Dependency> = edges
        .into_iter()
        .map(|(a, b)| Dependency {
            from: purl(a),
            to: purl(b),
        })
        .collect();
    inv.dependencies.extend(deps);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_follow_the_most_deployed_path_and_survive_cycles() {
        // 0 runtime root → 1 → 2 ⇢(optional) 3; 4 dev root → 5 → 4 (cycle), 5 → 1.
        let mut g = Graph::new(7);
        g.add(0, 1, false);
        g.add(1, 2, false);
        g.add(2, 3, true);
        g.add(4, 5, false);
        g.add(5, 4, false);
        g.add(5, 1, false);
        let s = g.scopes(&[(0, Scope::Runtime), (4, Scope::Dev)]);
        assert_eq!(
            s,
            [
                Some(Scope::Runtime),
                Some(Scope::Runtime),
                Some(Scope::Runtime),
                Some(Scope::Optional),
                Some(Scope::Dev),
                Some(Scope::Dev),
                None
            ]
        );
    }
}
