#!/usr/bin/env bash
# Exports the pinned trees of the real-world corpus (corpus/real-world.tsv) from
# fetched bare copies under /work/.mirror/<owner>+<name>/ into OUT_DIR/<name>, fresh
# each time. Rows whose repository has not been fetched are reported and skipped.
#
#   scripts/real-world-export.sh [OUT_DIR]     (default /tmp/layerwise-real-world)
#
# MIRROR_ROOT overrides /work/.mirror. Nothing fetched is ever committed: only the
# TSV pins live in the repository.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
tsv=$root/corpus/real-world.tsv
out=${1:-/tmp/layerwise-real-world}
mirror_root=${MIRROR_ROOT:-/work/.mirror}

# The bare git directory of a fetched repository: the one directory under its
# mirror folder that holds HEAD and objects/.
git_dir_of() {
  local base=$mirror_root/${1/\//+}
  [[ -d $base ]] || return 1
  find "$base" -maxdepth 3 -type f -name HEAD -printf '%h\n' | while read -r dir; do
    [[ -d $dir/objects ]] && echo "$dir" && break
  done
}

mkdir -p "$out/trees"
exported=0 skipped=0
while IFS=$'\t' read -r name repo commit dockerfile context _; do
  [[ $name == name || -z $name ]] && continue
  git_dir=$(git_dir_of "$repo" || true)
  if [[ -z $git_dir ]]; then
    echo "$name: $repo is not fetched; fetch github:$repo first (skipped)" >&2
    skipped=$((skipped + 1))
    continue
  fi
  if ! git --git-dir="$git_dir" cat-file -e "$commit^{commit}" 2>/dev/null; then
    echo "$name: commit $commit is not in $git_dir; fetch github:$repo again (skipped)" >&2
    skipped=$((skipped + 1))
    continue
  fi
  dest=$out/trees/$name
  rm -rf "$dest"
  mkdir -p "$dest"
  # Snapshots lack files of 4 MiB and more (videos, datasets): export without them
  # and say so, rather than fail.
  # `cat-file --batch-check` answers one line per object in order; a missing one is
  # `<id> missing`, so pair its answers with the paths by line.
  blobs=$(git --git-dir="$git_dir" ls-tree -r --format='%(objecttype) %(objectname) %(path)' "$commit" |
    awk '$1 == "blob" { sub(/^blob /, ""); print }')
  missing=$(paste -d ' ' \
    <(cut -d ' ' -f1 <<<"$blobs" | git --git-dir="$git_dir" cat-file --batch-check='%(objecttype)') \
    <(cut -d ' ' -f2- <<<"$blobs") |
    awk '$2 == "missing" { sub(/^[^ ]+ missing /, ""); print }')
  excludes=()
  while IFS= read -r path; do
    [[ -n $path ]] || continue
    excludes+=(":(exclude,literal)$path")
    echo "$name: $path is not in the snapshot (a large file); exported without it" >&2
  done <<<"$missing"
  # git archive still names the excluded objects on stderr; they were reported above.
  git --git-dir="$git_dir" archive "$commit" -- . "${excludes[@]}" 2>/dev/null | tar -x -C "$dest"
  if [[ ! -f $dest/$dockerfile || ! -d $dest/$context ]]; then
    echo "$name: $dockerfile or $context missing at $commit (skipped)" >&2
    rm -rf "$dest"
    skipped=$((skipped + 1))
    continue
  fi
  exported=$((exported + 1))
done <"$tsv"
echo "exported $exported trees into $out/trees ($skipped skipped)" >&2
