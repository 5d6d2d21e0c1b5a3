//! A tiny Thompson-style matcher shared by the glob and ignore-pattern engines.
//!
//! Patterns compile to a handful of instructions and are simulated with state
//! sets, so matching costs O(pattern × path) whatever the pattern: no
//! backtracking blow-up on inputs like `*a*a*a*a*b`, and no recursion.

/// One bracket expression, e.g. `[a-z_]` or `[^0-9]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Class {
    pub(crate) negated: bool,
    /// Inclusive ranges; a single character `c` is stored as `(c, c)`.
    pub(crate) ranges: Vec<(char, char)>,
}

impl Class {
    fn matches(&self, c: char) -> bool {
        let hit = self.ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi);
        hit != self.negated
    }
}

/// What a single-character step accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Pred {
    Lit(char),
    /// Any character except `/` (glob `?`, and each step of `*`).
    NotSlash,
    /// Any character except a newline: Go's regexp `.`, used by `**`.
    NotNewline,
    Class(Class),
}

impl Pred {
    fn accepts(&self, c: char) -> bool {
        match self {
            Pred::Lit(l) => *l == c,
            Pred::NotSlash => c != '/',
            Pred::NotNewline => c != '\n',
            Pred::Class(class) => class.matches(c),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Inst {
    Char(Pred),
    Split(usize, usize),
    Jmp(usize),
    Match,
}

/// A compiled program that matches whole strings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Program {
    insts: Vec<Inst>,
}

/// Builder for [`Program`]s.
#[derive(Debug, Default)]
pub(crate) struct ProgramBuilder {
    insts: Vec<Inst>,
}

impl ProgramBuilder {
    /// Exactly one character accepted by `pred`.
    pub(crate) fn one(&mut self, pred: Pred) {
        self.insts.push(Inst::Char(pred));
    }

    /// Zero or more characters accepted by `pred`.
    pub(crate) fn many(&mut self, pred: Pred) {
        let start = self.insts.len();
        self.insts.push(Inst::Split(start + 1, start + 3));
        self.insts.push(Inst::Char(pred));
        self.insts.push(Inst::Jmp(start));
    }

    /// `(.*/)?`: nothing, or any run of non-newline characters ending in `/`.
    pub(crate) fn any_dirs(&mut self) {
        let start = self.insts.len();
        let end = start + 5;
        self.insts.push(Inst::Split(start + 1, end));
        self.insts.push(Inst::Split(start + 2, start + 4));
        self.insts.push(Inst::Char(Pred::NotNewline));
        self.insts.push(Inst::Jmp(start + 1));
        self.insts.push(Inst::Char(Pred::Lit('/')));
    }

    pub(crate) fn finish(mut self) -> Program {
        self.insts.push(Inst::Match);
        Program { insts: self.insts }
    }
}

impl Program {
    /// True when the whole of `text` is accepted.
    pub(crate) fn matches(&self, text: &str) -> bool {
        let n = self.insts.len();
        let mut current = StateSet::new(n);
        let mut next = StateSet::new(n);
        let mut stack = Vec::new();
        self.add(&mut current, 0, &mut stack);
        for c in text.chars() {
            if current.list.is_empty() {
                return false;
            }
            next.clear();
            for &pc in &current.list {
                if let Some(Inst::Char(pred)) = self.insts.get(pc)
                    && pred.accepts(c)
                {
                    self.add(&mut next, pc + 1, &mut stack);
                }
            }
            std::mem::swap(&mut current, &mut next);
        }
        current
            .list
            .iter()
            .any(|&pc| matches!(self.insts.get(pc), Some(Inst::Match)))
    }

    /// Adds `pc` and everything reachable from it without consuming input.
    fn add(&self, set: &mut StateSet, pc: usize, stack: &mut Vec<usize>) {
        stack.clear();
        stack.push(pc);
        while let Some(pc) = stack.pop() {
            if !set.insert(pc) {
                continue;
            }
            match self.insts.get(pc) {
                Some(Inst::Split(a, b)) => {
                    // Push in reverse so `a` is explored first; order does
                    // not change the result, only the visiting order.
                    stack.push(*b);
                    stack.push(*a);
                }
                Some(Inst::Jmp(target)) => stack.push(*target),
                _ => {}
            }
        }
    }
}

struct StateSet {
    seen: Vec<bool>,
    list: Vec<usize>,
}

impl StateSet {
    fn new(n: usize) -> Self {
        StateSet {
            seen: vec![false; n + 1],
            list: Vec::new(),
        }
    }

    fn insert(&mut self, pc: usize) -> bool {
        match self.seen.get_mut(pc) {
            Some(slot) if !*slot => {
                *slot = true;
                self.list.push(pc);
                true
            }
            _ => false,
        }
    }

    fn clear(&mut self) {
        for &pc in &self.list {
            if let Some(slot) = self.seen.get_mut(pc) {
                *slot = false;
            }
        }
        self.list.clear();
    }
}
