# Sourced by the scripts that walk the real-world corpus (real-world.sh,
# explain-accuracy.sh): which rows to run, and where their exported trees are.

# Whether row $1 is one of the --only names (every row when none was given);
# reads the caller's `only` array.
wanted() {
  [[ ${#only[@]} -eq 0 ]] && return 0
  local n
  for n in "${only[@]}"; do [[ $n == "$1" ]] && return 0; done
  return 1
}

# Exits 2 unless $1/trees holds the exported trees.
require_trees() {
  [[ -d $1/trees ]] || { echo "error: no trees in $1/trees; run scripts/real-world-export.sh $1 first" >&2; exit 2; }
}
