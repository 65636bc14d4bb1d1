//! Content models: does a list of child element names fit a particle (sequence, choice, all,
//! wildcards, occurrence bounds), and if not, what is wrong and where.
//!
//! Matching works on sets of positions: a particle maps the set of child indices where it may
//! start to the set where it may end. Sets stay tiny for the deterministic models XSD requires,
//! so a message is matched in time linear in its children. When the children do not fit, the
//! furthest position any prefix reached tells where, and trying each element the model expected
//! there tells whether one is missing (inserting it lets matching go on) or the child is not
//! allowed.

use super::rules::{NsConstraint, Particle, QName, Rules, Term, NO_NS};

/// Namespace index of a child whose namespace the rules do not know.
pub(crate) const FOREIGN_NS: u16 = u16::MAX - 1;

/// Work budget for one content model (element steps); far above what any real letter needs.
const BUDGET: usize = 2_000_000;

/// Deepest particle nesting followed.
const MAX_DEPTH: usize = 64;

/// One child element, as the content model sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Sym<'a> {
    pub(crate) ns: u16,
    pub(crate) local: &'a str,
}

impl Sym<'_> {
    fn is(&self, q: &QName) -> bool {
        self.ns == q.ns && self.local == &*q.local
    }
}

/// What matching found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// The children fit.
    Valid,
    /// Element declaration `decl` is missing before child `before` (or at the end when `before`
    /// is the number of children).
    Missing { before: usize, decl: u32 },
    /// Child `child` occurs more often than allowed.
    TooMany { child: usize },
    /// Child `child` is not allowed here; `expected` lists element declarations that were.
    Unexpected { child: usize, expected: Vec<u32> },
    /// The model could not be checked within the work budget.
    Budget,
}

/// Checks children against a content model.
pub(crate) fn check(rules: &Rules, particle: &Particle, syms: &[Sym<'_>]) -> Outcome {
    let mut m = Matcher::new(rules, syms, false);
    let end = m.particle(particle, &[0], 0);
    if m.exhausted {
        return Outcome::Budget;
    }
    if end.contains(&syms.len()) {
        return Outcome::Valid;
    }
    // Second pass, recording what each position expected.
    let mut m = Matcher::new(rules, syms, true);
    let _ = m.particle(particle, &[0], 0);
    let at = m.furthest;
    let mut expected: Vec<u32> = m
        .attempts
        .iter()
        .filter(|a| a.0 == at)
        .map(|a| a.1)
        .collect();
    dedup_keep_order(&mut expected);
    if let Some(child) = syms.get(at) {
        let known = m.seen_names(particle, child);
        if at > 0
            && syms.get(at - 1) == Some(child)
            && known
            && !expected_names(rules, &expected, child)
        {
            return Outcome::TooMany { child: at };
        }
    }
    // Would inserting one expected element let matching go on?
    let mut best: Option<(bool, usize, u32)> = None;
    for &decl in &expected {
        let Some(e) = rules.elements.get(decl as usize) else {
            continue;
        };
        let local: &str = &e.name.local;
        let mut t = Matcher::new(rules, syms, false);
        t.inserted = Some((
            at,
            Sym {
                ns: e.name.ns,
                local,
            },
        ));
        let end = t.particle(particle, &[0], 0);
        let full = end.contains(&(syms.len() + 1));
        let score = (full, t.furthest, decl);
        if best.is_none_or(|b| (score.0, score.1) > (b.0, b.1)) {
            best = Some(score);
        }
    }
    match best {
        Some((full, furthest, decl)) if at == syms.len() || full || furthest > at + 1 => {
            Outcome::Missing { before: at, decl }
        }
        _ if at < syms.len() => Outcome::Unexpected {
            child: at,
            expected,
        },
        // Nothing fits at the end, yet the model is unsatisfied (a wildcard or an empty choice).
        _ => Outcome::Unexpected {
            child: at.saturating_sub(1),
            expected,
        },
    }
}

fn dedup_keep_order(v: &mut Vec<u32>) {
    let mut seen = std::collections::HashSet::new();
    v.retain(|x| seen.insert(*x));
}

fn expected_names(rules: &Rules, expected: &[u32], sym: &Sym<'_>) -> bool {
    expected
        .iter()
        .filter_map(|&d| rules.elements.get(d as usize))
        .any(|e| sym.is(&e.name))
}

struct Matcher<'r, 's> {
    rules: &'r Rules,
    syms: &'s [Sym<'s>],
    track: bool,
    furthest: usize,
    attempts: Vec<(usize, u32)>,
    steps: usize,
    exhausted: bool,
    /// A child tried in before the one at this position (a missing element's trial), so that
    /// trying does not copy every child.
    inserted: Option<(usize, Sym<'s>)>,
}

impl<'r, 's> Matcher<'r, 's> {
    fn new(rules: &'r Rules, syms: &'s [Sym<'s>], track: bool) -> Self {
        Self {
            rules,
            syms,
            track,
            furthest: 0,
            attempts: Vec::new(),
            steps: 0,
            exhausted: false,
            inserted: None,
        }
    }

    /// The child at `pos`, counting the one tried in.
    fn sym(&self, pos: usize) -> Option<&Sym<'s>> {
        match &self.inserted {
            Some((at, s)) if pos == *at => Some(s),
            Some((at, _)) if pos > *at => self.syms.get(pos - 1),
            _ => self.syms.get(pos),
        }
    }

    /// Whether the model names the child's element anywhere.
    fn seen_names(&self, p: &Particle, sym: &Sym<'_>) -> bool {
        fn walk(rules: &Rules, p: &Particle, sym: &Sym<'_>, depth: usize) -> bool {
            if depth > MAX_DEPTH {
                return false;
            }
            match &p.term {
                Term::Element(e) => rules
                    .elements
                    .get(*e as usize)
                    .is_some_and(|d| sym.is(&d.name)),
                Term::Any(_) => false,
                Term::All(ps) | Term::Choice(ps) | Term::Sequence(ps) => {
                    ps.iter().any(|q| walk(rules, q, sym, depth + 1))
                }
            }
        }
        walk(self.rules, p, sym, 0)
    }

    fn particle(&mut self, p: &Particle, from: &[usize], depth: usize) -> Vec<usize> {
        if depth > MAX_DEPTH || self.exhausted {
            self.exhausted = true;
            return Vec::new();
        }
        let mut result: Vec<usize> = if p.min == 0 {
            from.to_vec()
        } else {
            Vec::new()
        };
        let mut cur = from.to_vec();
        let mut i: u32 = 0;
        while i < p.max && !cur.is_empty() && !self.exhausted {
            i += 1;
            let next = self.term(&p.term, &cur, depth);
            if i >= p.min {
                // Past the minimum, a position already reached can add nothing new.
                let fresh: Vec<usize> = next
                    .into_iter()
                    .filter(|x| result.binary_search(x).is_err())
                    .collect();
                for &x in &fresh {
                    if let Err(k) = result.binary_search(&x) {
                        result.insert(k, x);
                    }
                }
                cur = fresh;
            } else {
                cur = next;
            }
        }
        result
    }

    fn term(&mut self, t: &Term, from: &[usize], depth: usize) -> Vec<usize> {
        self.steps += from.len();
        if self.steps > BUDGET {
            self.exhausted = true;
            return Vec::new();
        }
        match t {
            Term::Element(e) => {
                let Some(decl) = self.rules.elements.get(*e as usize) else {
                    return Vec::new();
                };
                let mut out = Vec::new();
                for &pos in from {
                    if self.sym(pos).is_some_and(|s| s.is(&decl.name)) {
                        out.push(pos + 1);
                        self.furthest = self.furthest.max(pos + 1);
                    } else if self.track {
                        self.attempts.push((pos, *e));
                    }
                }
                out
            }
            Term::Any(w) => {
                let mut out = Vec::new();
                for &pos in from {
                    let ok = self.sym(pos).is_some_and(|s| match &w.namespaces {
                        NsConstraint::Any => true,
                        NsConstraint::List(l) => l.contains(&s.ns),
                        NsConstraint::Other(target) => s.ns != *target && s.ns != NO_NS,
                    });
                    if ok {
                        out.push(pos + 1);
                        self.furthest = self.furthest.max(pos + 1);
                    }
                }
                out
            }
            Term::Sequence(ps) => {
                let mut cur = from.to_vec();
                for p in ps {
                    cur = self.particle(p, &cur, depth + 1);
                    if cur.is_empty() {
                        break;
                    }
                }
                cur
            }
            Term::Choice(ps) => {
                // Sets hold a handful of positions: a sorted insert beats sorting.
                let mut out: Vec<usize> = Vec::new();
                for p in ps {
                    for x in self.particle(p, from, depth + 1) {
                        if let Err(k) = out.binary_search(&x) {
                            out.insert(k, x);
                        }
                    }
                }
                out
            }
            Term::All(ps) => self.all(ps, from, depth),
        }
    }

    /// `xs:all`: each member at most once, in any order; required members must occur.
    fn all(&mut self, ps: &[Particle], from: &[usize], depth: usize) -> Vec<usize> {
        let required: u64 = ps
            .iter()
            .enumerate()
            .filter(|(i, p)| p.min > 0 && *i < 64)
            .fold(0, |m, (i, _)| m | (1 << i));
        let mut states: Vec<(usize, u64)> = from.iter().map(|&p| (p, 0)).collect();
        let mut out = Vec::new();
        let mut k = 0;
        while let Some(&(pos, mask)) = states.get(k) {
            k += 1;
            if mask & required == required {
                out.push(pos);
            }
            for (j, p) in ps.iter().enumerate().take(64) {
                if mask & (1 << j) != 0 {
                    continue;
                }
                let one = Particle {
                    min: 1,
                    max: 1,
                    term: p.term.clone(),
                };
                for end in self.particle(&one, &[pos], depth + 1) {
                    let s = (end, mask | (1 << j));
                    if !states.contains(&s) {
                        states.push(s);
                    }
                }
            }
            if self.exhausted {
                break;
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rules with elements a..f in one namespace and particles over them.
    const RULES: &str = r#"medcom-legacy-rules 1
(ns "urn:t")
(root e0)
(e 0 0:a xs:string)
(e 1 0:b xs:string)
(e 2 0:c xs:string)
(e 3 0:d xs:string)
(e 4 0:e xs:string)
(c 0 "seq" (elements element (seq 1 1 (el 1 1 e0) (el 0 1 e1) (el 1 1 e2))))
(c 1 "bounded" (elements element (seq 1 1 (el 1 1 e0) (el 0 2 e1) (el 1 1 e2))))
(c 2 "choice" (elements element (seq 1 1 (choice 1 1 (el 1 1 e0) (el 1 1 e1)) (el 1 1 e2))))
(c 3 "repeat" (elements element (seq 1 1 (el 1 1 e0) (seq 1 u (choice 1 1 (el 1 1 e1) (el 1 1 e2)) (el 0 1 e3)))))
(c 4 "all" (elements element (all 1 1 (el 1 1 e0) (el 0 1 e1) (el 1 1 e2))))
(c 5 "wild" (elements element (seq 1 1 (el 1 1 e0) (any 0 u (other 0) lax))))
"#;

    /// Complex type, children, expected outcome as text.
    #[rustfmt::skip]
    const CASES: &[(usize, &str, &str)] = &[
        (0, "a b c", "valid"),
        (0, "a c", "valid"),
        (0, "a", "missing c before 1"),
        (0, "b c", "missing a before 0"),
        (0, "a b b c", "too many 2"),
        (0, "a x c", "unexpected 1"),
        (0, "a c c", "too many 2"),
        (0, "c a", "missing a before 0"),
        (1, "a b b c", "valid"),
        (1, "a b b b c", "too many 3"),
        (2, "a c", "valid"),
        (2, "b c", "valid"),
        (2, "a b c", "unexpected 1"),
        (2, "c", "missing a before 0"),
        (3, "a b c d b", "valid"),
        (3, "a", "missing b before 1"),
        (3, "a d", "missing b before 1"),
        (3, "a b d d", "too many 3"),
        (4, "c a", "valid"),
        (4, "c b a", "valid"),
        (4, "c b", "missing a before 2"),
        (4, "a a c", "too many 1"),
        (5, "a {urn:x}z {urn:y}w", "valid"),
        (5, "a z", "unexpected 1"),
    ];

    fn outcome_text(rules: &Rules, o: &Outcome) -> String {
        match o {
            Outcome::Valid => "valid".into(),
            Outcome::Missing { before, decl } => {
                format!(
                    "missing {} before {before}",
                    rules.elements[*decl as usize].name.local
                )
            }
            Outcome::TooMany { child } => format!("too many {child}"),
            Outcome::Unexpected { child, .. } => format!("unexpected {child}"),
            Outcome::Budget => "budget".into(),
        }
    }

    #[test]
    fn cases() {
        let rules = Rules::parse(RULES).unwrap();
        for &(ct, children, want) in CASES {
            let syms: Vec<Sym<'_>> = children
                .split_whitespace()
                .map(|c| match c.strip_prefix('{') {
                    Some(rest) => Sym {
                        ns: FOREIGN_NS,
                        local: rest.split_once('}').unwrap().1,
                    },
                    None => Sym { ns: 0, local: c },
                })
                .collect();
            let super::super::rules::Content::Elements { particle, .. } =
                &rules.complex[ct].content
            else {
                panic!()
            };
            let got = check(&rules, particle, &syms);
            assert_eq!(outcome_text(&rules, &got), want, "type {ct}: {children}");
        }
    }

    #[test]
    fn long_repetition_is_linear() {
        let rules = Rules::parse(RULES).unwrap();
        let mut syms = vec![Sym { ns: 0, local: "a" }];
        syms.extend(std::iter::repeat_n(Sym { ns: 0, local: "b" }, 100_000));
        let super::super::rules::Content::Elements { particle, .. } = &rules.complex[3].content
        else {
            panic!()
        };
        assert_eq!(check(&rules, particle, &syms), Outcome::Valid);
    }
}
