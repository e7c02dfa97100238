#!/usr/bin/env bash
# clang-tidy (the checks of .clang-tidy) on our sources: every .cpp under libs/ and apps/, and the
# headers of libs/ and apps/ they include. Any finding fails (WarningsAsErrors in .clang-tidy).
#   scripts/tidy.sh [build-dir]     default build/asan, built (its compile_commands.json and
#                                   Ninja's header dependencies are read)
# Files run in parallel (KIBITZ_TIDY_JOBS, default nproc). A file that passed is not run again
# until the file, a header of the source tree it includes, its compile command, the
# configuration (comments aside) or clang-tidy changes (a stamp per hash in
# <build-dir>/tidy/passed/).
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build/asan}"
tidy="${CLANG_TIDY:-clang-tidy}"
jobs="${KIBITZ_TIDY_JOBS:-$(nproc)}"
work="$build/tidy"

if [ ! -f "$build/compile_commands.json" ] || [ ! -f "$build/build.ninja" ]; then
    echo "tidy: $build is not a built Ninja tree (cmake --preset asan && cmake --build --preset asan)" >&2
    exit 2
fi
mkdir -p "$work/passed" "$work/out"
rm -f "$work/out/"*

# A compile database without GCC's precompiled headers (clang cannot read them; each file is
# checked on its own includes), and a list of "<hash> <file>" lines for the files to check.
git ls-files 'libs/*.cpp' 'apps/*.cpp' >"$work/files.txt"
python3 - "$build" "$work" "$("$tidy" --version | tr '\n' ' ')" <<'EOF'
import hashlib, json, os, re, subprocess, sys
build, work, version = sys.argv[1:4]
root = os.getcwd()
wanted = {os.path.join(root, f.strip()) for f in open(os.path.join(work, "files.txt")) if f.strip()}
# The configuration without its comments: a reworded reason does not re-run every file.
config = b"\n".join(l for l in open(".clang-tidy", "rb").read().splitlines()
                     if not l.lstrip().startswith(b"#"))

# Ninja's record of the headers each object was last built with.
deps, current = {}, None
for line in subprocess.run(["ninja", "-C", build, "-t", "deps"], check=True,
                           capture_output=True, text=True).stdout.splitlines():
    if line and not line.startswith(" "):
        current = deps.setdefault(line.split(":", 1)[0], [])
    elif line.strip() and current is not None:
        current.append(os.path.normpath(os.path.join(build, line.strip())))

entries, todo = [], []
for e in json.load(open(os.path.join(build, "compile_commands.json"))):
    path = os.path.normpath(os.path.join(e["directory"], e["file"]))
    if path not in wanted:
        continue
    command = re.sub(r" -include \S+cmake_pch\.hxx", "", e["command"]).replace(" -Winvalid-pch", "")
    entries.append(dict(e, command=command))
    obj = re.search(r" -o (\S+)", command).group(1)
    h = hashlib.sha256(config + version.encode() + command.encode())
    for dep in sorted({path, *deps.get(obj, [])}):
        if dep.startswith(root + os.sep) and os.path.isfile(dep):
            h.update(dep.encode() + b"\0" + open(dep, "rb").read())
    todo.append(f"{h.hexdigest()} {os.path.relpath(path, root)}")
missing = wanted - {os.path.normpath(os.path.join(e["directory"], e["file"])) for e in entries}
if missing:
    sys.exit("tidy: not in the compile database: " + ", ".join(sorted(missing)))
json.dump(entries, open(os.path.join(work, "compile_commands.json"), "w"), indent=1)
open(os.path.join(work, "todo.txt"), "w").write("\n".join(todo) + "\n")
EOF

# One file: run clang-tidy unless its hash passed before; keep the output of a failure.
check_one() {
    local hash="$1" file="$2"
    [ -e "$work/passed/$hash" ] && return 0
    local out="$work/out/${file//\//_}.txt"
    if "$tidy" -p "$work" --quiet --extra-arg=-Wno-unknown-warning-option "$file" >"$out" 2>&1; then
        rm -f "$out"
        touch "$work/passed/$hash"
    fi
    return 0
}
export -f check_one
export tidy work

total=$(wc -l <"$work/todo.txt")
cached=0
while read -r hash _; do [ -e "$work/passed/$hash" ] && cached=$((cached + 1)); done <"$work/todo.txt"
echo "tidy: $total files ($cached unchanged since they passed), $jobs in parallel"
start=$SECONDS
xargs -P "$jobs" -L 1 bash -c 'check_one "$0" "$1"' <"$work/todo.txt"

failed=$(find "$work/out" -name '*.txt' | wc -l)
if [ "$failed" -ne 0 ]; then
    # A finding in a header shows once per file that includes it: print each once.
    cat "$work/out/"*.txt | grep -E '^/.*: (warning|error): ' | sort -u
    grep -hE '^(Error|error)' "$work/out/"*.txt | sort -u || true
    echo "tidy: FAILED, $failed of $total files with findings (full output in $work/out/) after $((SECONDS - start))s"
    exit 1
fi
echo "tidy: all $total files clean after $((SECONDS - start))s"
