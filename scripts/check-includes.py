#!/usr/bin/env python3
"""The include boundary (docs/architecture.md rule 8): a file of a CMake target may include only
headers of that target and of the targets it links *directly* (its own target_link_libraries
edges, public or private; transitive ones do not count).

Everything comes from CMake, nothing from a hand copy: the edges from `cmake --graphviz`, the
targets' sources, source directories and include paths from the CMake file API (codemodel-v2).
A file belongs to the targets that list it as a source; a header no target lists belongs to the
targets whose source directory is its nearest ancestor (libs/<m>/include/... is libs/<m>'s).
An include is resolved as the compiler would (the file's own directory for "...", then the
target's include paths, then any target's, for a header of a module not linked at all); one that
resolves into the source tree must belong to an allowed target.
One that does not is either a third-party header of a package below (allowed when the target
links that package's imported target directly) or the standard library (not checked).

    scripts/check-includes.py <build-dir>     re-runs cmake in <build-dir> (a configured tree)
Exit status 0 when every include is allowed, 1 with one line per violation otherwise.
"""
import json
import os
import re
import subprocess
import sys

# Third-party headers and the imported targets that grant them: a header that is not ours is
# matched by its include path's first component (or its whole name).
THIRD_PARTY = {
    "boost": {"Boost::headers", "Boost::boost"},
    "unicode": {"ICU::uc", "ICU::i18n"},
    "sqlite3.h": {"SQLite::SQLite3"},
    "nlohmann": {"nlohmann_json::nlohmann_json"},
    "gtest": {"GTest::gtest", "GTest::gtest_main", "GTest::GTest", "GTest::Main"},
    "gmock": {"GTest::gmock", "GTest::gmock_main"},
}
HEADER_SUFFIXES = (".hpp", ".h", ".hxx", ".ipp")
INCLUDE_RE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')
EDGE_RE = re.compile(r"//\s*(\S+)\s*->\s*(\S+)\s*$")


def configure(build):
    """Re-runs CMake in `build` with a file API query and a graphviz export; returns the paths."""
    query = os.path.join(build, ".cmake", "api", "v1", "query", "codemodel-v2")
    os.makedirs(os.path.dirname(query), exist_ok=True)
    open(query, "a").close()
    dot = os.path.join(build, "include-check", "deps.dot")
    os.makedirs(os.path.dirname(dot), exist_ok=True)
    subprocess.run(["cmake", f"--graphviz={dot}", build], check=True, stdout=subprocess.DEVNULL)
    return os.path.join(build, ".cmake", "api", "v1", "reply"), dot


def read_edges(dot):
    """Direct link edges, target name -> set of target names, from the graphviz export."""
    edges = {}
    with open(dot, encoding="utf-8") as f:
        for line in f:
            m = EDGE_RE.search(line)
            if m and not line.lstrip().startswith("legend"):
                edges.setdefault(m.group(1), set()).add(m.group(2))
    return edges


def read_targets(reply):
    """The codemodel's targets: name -> {source_dir, sources, includes} (absolute paths)."""
    index_name = max(n for n in os.listdir(reply) if n.startswith("index-"))
    with open(os.path.join(reply, index_name), encoding="utf-8") as f:
        index = json.load(f)
    codemodel = next(o for o in index["objects"] if o["kind"] == "codemodel")
    with open(os.path.join(reply, codemodel["jsonFile"]), encoding="utf-8") as f:
        model = json.load(f)
    source_root = model["paths"]["source"]
    targets = {}
    for ref in model["configurations"][0]["targets"]:
        with open(os.path.join(reply, ref["jsonFile"]), encoding="utf-8") as f:
            t = json.load(f)
        sources = {os.path.normpath(os.path.join(source_root, s["path"]))
                   for s in t.get("sources", []) if not s.get("isGenerated")}
        if not sources:
            continue  # interface and utility targets own no files
        includes = []
        for group in t.get("compileGroups", []):
            for inc in group.get("includes", []):
                if inc["path"] not in includes:
                    includes.append(inc["path"])
        targets[t["name"]] = {
            "source_dir": os.path.normpath(os.path.join(source_root, t["paths"]["source"])),
            "sources": sources,
            "includes": includes,
        }
    return source_root, targets


class Checker:
    def __init__(self, source_root, build, targets, edges):
        self.root = source_root
        self.build = os.path.realpath(build)
        self.targets = targets
        self.edges = edges
        self.by_source = {}
        for name, t in targets.items():
            for s in t["sources"]:
                self.by_source.setdefault(s, set()).add(name)

    def owners(self, path):
        """The targets a file of the source tree belongs to (empty: none)."""
        if path in self.by_source:
            return self.by_source[path]
        best, owners = -1, set()
        for name, t in self.targets.items():
            d = t["source_dir"]
            if path.startswith(d + os.sep) and len(d) >= best:
                if len(d) > best:
                    best, owners = len(d), set()
                owners.add(name)
        return owners

    def in_tree(self, path):
        real = os.path.realpath(path)
        return real.startswith(self.root + os.sep) and not real.startswith(self.build + os.sep)

    def resolve(self, path, bracket, name, owners):
        dirs = [] if bracket == "<" else [os.path.dirname(path)]
        for o in sorted(owners):
            dirs += self.targets[o]["includes"]
        for d in dirs:
            candidate = os.path.normpath(os.path.join(d, name))
            if os.path.isfile(candidate):
                return candidate
        return None

    def files(self):
        """Every source of a target, and every header under a target's source directory."""
        found = set(self.by_source)
        for t in self.targets.values():
            for dirpath, dirnames, filenames in os.walk(t["source_dir"]):
                dirnames[:] = [d for d in dirnames if d not in ("node_modules", ".git")
                               and os.path.realpath(os.path.join(dirpath, d)) != self.build]
                found.update(os.path.join(dirpath, f) for f in filenames
                             if f.endswith(HEADER_SUFFIXES))
        return sorted(p for p in found if self.in_tree(p) and os.path.isfile(p))

    def check_file(self, path):
        owners = self.owners(path)
        allowed = set(owners)
        for o in owners:
            allowed |= self.edges.get(o, set())
        problems = []
        with open(path, encoding="utf-8", errors="replace") as f:
            for number, line in enumerate(f, 1):
                m = INCLUDE_RE.match(line)
                if not m:
                    continue
                bracket, name = m.groups()
                why = self.check_include(path, bracket, name, owners, allowed)
                if why:
                    rel = os.path.relpath(path, self.root)
                    spelled = f"<{name}>" if bracket == "<" else f'"{name}"'
                    links = ", ".join(sorted(allowed - owners)) or "(nothing)"
                    problems.append(f"{rel}:{number}: {spelled} {why}; "
                                    f"{'/'.join(sorted(owners))} links directly only: {links}")
        return problems

    def check_include(self, path, bracket, name, owners, allowed):
        """None when the include is allowed, else the reason."""
        resolved = self.resolve(path, bracket, name, owners)
        if resolved is None:
            # Not on this target's include path: still ours if another target's path has it
            # (then it does not compile here, or only by luck of a -I).
            resolved = self.resolve(path, "<", name, self.targets.keys())
        if resolved and self.in_tree(resolved):
            inc_owners = self.owners(resolved)
            if not inc_owners:
                return "is in no CMake target"
            if inc_owners & allowed:
                return None
            return f"belongs to {'/'.join(sorted(inc_owners))}"
        first = name.split("/", 1)[0]
        package = THIRD_PARTY.get(first)
        if package is None or package & allowed:
            return None
        return f"is a header of {'/'.join(sorted(package))}"


def main(argv):
    if len(argv) != 2:
        print("usage: scripts/check-includes.py <configured build directory>", file=sys.stderr)
        return 2
    build = argv[1]
    reply, dot = configure(build)
    source_root, targets = read_targets(reply)
    checker = Checker(os.path.realpath(source_root), build, targets, read_edges(dot))
    files = checker.files()
    problems = [p for f in files for p in checker.check_file(f)]
    for p in problems:
        print(p)
    print(f"check-includes: {len(files)} files of {len(targets)} targets, "
          f"{len(problems)} include(s) outside the direct CMake edges")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
