#!/usr/bin/env bash
# The planted-bugs tier: each test/planted/<name>.patch plants one bug the suite must catch.
# For each plant in test/planted/manifest.json: copy the repository's files (tracked plus
# untracked-not-ignored, as they are in the working tree) into a temporary directory, link
# node_modules, apply the patch there with `patch -p1`, and run only the plant's test files
# (vitest files in "catchers", Go tests in "goTests" when a go toolchain is on PATH).
# The tier fails if a patch no longer applies, or if any named test file does not report at
# least one failed test with the plant applied (a file that fails to load does not count: that
# would be a broken patch, not a caught bug). The repository itself is only read.
#
#   scripts/planted-bugs.sh              every plant, then the catchers once on unmodified code
#   scripts/planted-bugs.sh NAME...      only these plants
#   PLANTED_NO_BASELINE=1 scripts/...    skip the run on unmodified code
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
manifest="$repo/test/planted/manifest.json"
cd "$repo"

work="$(mktemp -d "${TMPDIR:-/tmp}/paddock-planted-XXXXXX")"
trap 'rm -rf "$work"' EXIT

# name<TAB>patch<TAB>space-separated test files<TAB>space-separated go tests (dir:TestName), one line
# per selected plant.
plants="$(node -e '
  const m = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
  const only = process.argv.slice(2);
  const unknown = only.filter((n) => !m.plants.some((p) => p.name === n));
  if (unknown.length > 0) { console.error(`unknown plants: ${unknown.join(", ")}`); process.exit(2); }
  for (const p of m.plants) {
    if (only.length > 0 && !only.includes(p.name)) continue;
    const go = (p.goTests ?? []).map((t) => `${t.dir}:${t.run}`).join(" ");
    console.log([p.name, p.patch, p.catchers.join(" "), go].join("\t"));
  }
' "$manifest" "$@")"

# A Go test must fail with the plant: `go test -run '^Name$'` in that directory (the Go tests
# start a server from the repository they are in: here, the patched copy).
go_caught() {
  local root="$1" dir="${2%%:*}" name="${2#*:}"
  if (cd "$root/$dir" && go test -count=1 -run "^${name}\$" . >"$work/go.log" 2>&1); then
    echo "    NOT CAUGHT by go test $dir -run $name: passed"
    return 1
  fi
  if ! grep -q -- "--- FAIL: $name" "$work/go.log"; then
    echo "    NOT CAUGHT by go test $dir -run $name: it did not run to a failure:"; tail -5 "$work/go.log"
    return 1
  fi
  echo "    caught by go test $dir -run $name: $(grep -m1 -A1 -- "--- FAIL: $name" "$work/go.log" | tail -1 | sed 's/^ *//')"
}

# Checks a vitest JSON report: every file in $2.. must have at least one failed assertion.
caught() {
  node -e '
    const r = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
    const root = process.argv[2];
    let ok = true;
    for (const file of process.argv.slice(3)) {
      const t = r.testResults.find((x) => x.name === `${root}/${file}`);
      const failed = t ? t.assertionResults.filter((a) => a.status === "failed") : [];
      if (failed.length === 0) {
        ok = false;
        console.log(`    NOT CAUGHT by ${file}: ${t ? t.status + (t.message ? " (" + t.message.split("\n")[0] + ")" : "") : "no result"}`);
      } else {
        console.log(`    caught by ${file}: ${failed.map((a) => a.fullName).join(" | ")}`);
      }
    }
    process.exit(ok ? 0 : 1);
  ' "$@"
}

copy_repo() {
  local dest="$1"
  mkdir -p "$dest"
  git -C "$repo" ls-files -z --cached --others --exclude-standard |
    while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
    tar --null -T - -cf - | tar -xf - -C "$dest"
  ln -s "$repo/node_modules" "$dest/node_modules"
}

failures=()
all_tests=()
tier_start=$(date +%s)
all_go=()
while IFS=$'\t' read -r name patch tests gotests; do
  [ -n "$name" ] || continue
  start=$(date +%s)
  dest="$work/$name"
  copy_repo "$dest"
  echo "== plant $name ($patch)"
  if ! patch -p1 --dry-run --silent -d "$dest" <"$repo/test/planted/$patch" >/dev/null; then
    echo "    PATCH NO LONGER APPLIES: update test/planted/$patch to the current code"
    failures+=("$name (patch does not apply)")
    rm -rf "$dest"
    continue
  fi
  patch -p1 --silent -d "$dest" <"$repo/test/planted/$patch"
  read -r -a files <<<"$tests"
  all_tests+=("${files[@]}")
  (cd "$dest" && npx vitest run --reporter=json --outputFile="$work/$name.json" "${files[@]}" >"$work/$name.log" 2>&1) || true
  if [ ! -f "$work/$name.json" ]; then
    echo "    vitest wrote no report:"; tail -20 "$work/$name.log"
    failures+=("$name (no report)")
  elif ! caught "$work/$name.json" "$dest" "${files[@]}"; then
    failures+=("$name (not caught)")
  fi
  for g in $gotests; do
    if ! command -v go >/dev/null; then
      echo "    SKIPPED go test $g: no go toolchain on PATH"
      continue
    fi
    all_go+=("$g")
    go_caught "$dest" "$g" || failures+=("$name (not caught by go test $g)")
  done
  echo "    $(($(date +%s) - start)) s"
  rm -rf "$dest"
done <<<"$plants"

if [ "${PLANTED_NO_BASELINE:-}" = "" ] && [ ${#all_tests[@]} -gt 0 ]; then
  # The catchers must pass without any plant, or "caught" means nothing.
  mapfile -t unique < <(printf '%s\n' "${all_tests[@]}" | sort -u)
  echo "== baseline: the catchers on unmodified code (${#unique[@]} files)"
  start=$(date +%s)
  if ! npx vitest run "${unique[@]}" >"$work/baseline.log" 2>&1; then
    tail -40 "$work/baseline.log"
    failures+=("baseline (a catcher fails without any plant)")
  fi
  for g in "${all_go[@]}"; do
    if ! (cd "$repo/${g%%:*}" && go test -count=1 -run "^${g#*:}\$" . >"$work/go.log" 2>&1); then
      tail -20 "$work/go.log"
      failures+=("baseline (go test $g fails without any plant)")
    fi
  done
  echo "    $(($(date +%s) - start)) s"
fi

echo "== planted-bugs tier took $(($(date +%s) - tier_start)) s"
if [ ${#failures[@]} -gt 0 ]; then
  printf 'FAILED: %s\n' "${failures[@]}" >&2
  exit 1
fi
echo "every plant was caught"
