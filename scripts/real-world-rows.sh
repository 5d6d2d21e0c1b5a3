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

# The arguments every corpus script takes: `--only NAME` (repeatable, into the
# caller's `only` array), `-h`/`--help` (the script's header comment) and OUT_DIR
# (into `out`). Sets `used` to how many arguments it took; exits 2 on an unknown option.
corpus_arg() {
  case $1 in
    --only)
      [[ $# -ge 2 ]] || { echo "error: --only needs a row name" >&2; exit 2; }
      only+=("$2")
      used=2
      ;;
    -h | --help)
      sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
      exit 0
      ;;
    -*)
      echo "error: unknown option $1" >&2
      exit 2
      ;;
    *)
      out=$1
      used=1
      ;;
  esac
}
