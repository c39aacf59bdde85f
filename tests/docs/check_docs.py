#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Checks that the documentation names everything the code accepts.

    check_docs.py SRCDIR [--sluicectl BIN] [--setup SCRIPT]

Reads the lists from the sources themselves, so a new command or keyword fails this test until
it is documented in its one place:

- every stats-socket command (the table of controlplane/commands.c and the built-in commands of
  controlplane/stats/cmdlang.c): an entry of its own (a .TP tag) in the COMMANDS section of
  dist/man/sluicectl.8, and a mention in docs/operations.md, section "The stats socket";
- every sluicectl option and subcommand (the words tools/sluicectl.c compares its arguments
  with): in dist/man/sluicectl.8 and in `sluicectl --help` (when BIN is given);
- every sluiced option (controlplane/sluiced.c's getopt tables): an entry in the OPTIONS of
  dist/man/sluiced.8;
- every configuration keyword (the names of every keyword, option, parameter, fetch, action
  and section table of the parser, and every word the parser compares a keyword or argument
  with: controlplane/cfg/*.c but the files listed in NOT_PARSER): in a code span or a code
  block of docs/config.md;
- every sluice-setup subcommand (a .TP tag in the COMMANDS section) and option: in
  dist/man/sluice-setup.8;
- every sluice man page that a man page names (NAME (N)) exists in dist/man, and every man page
  renders without a warning of man(1) (groff(1) without man; skipped without either);
- no document says that something takes effect "when the part lands" (the parts are in).

Prints what is missing, one line each, and exits 1; exits 0 when nothing is.
"""
import os
import re
import shutil
import subprocess
import sys

# controlplane/cfg/ files that do not parse configuration text (they compare names, not keywords)
NOT_PARSER = {"arena.c", "cfg_check.c", "cfg_dump.c", "cfg_reload.c", "numa.c", "portplan.c"}
# words the parser compares with that are not configuration words (say why for each)
NOT_KEYWORDS = set()
# man pages of other projects a sluice page may name
EXTERNAL_PAGES = {("haproxy", "1"), ("systemctl", "1"), ("systemd.service", "5"), ("socat", "1")}
# wording that says a part of sluice does not exist yet; every part named that way has landed
STALE = r"(?:when the \w+ )?part lands|\bplanned\b"

problems = []


def problem(msg):
    problems.append(msg)


def read(root, rel):
    with open(os.path.join(root, rel), encoding="utf-8") as f:
        return f.read()


def line_of(text, pos):
    return text.count("\n", 0, pos) + 1


def strip_c_comments(src):
    """Comments replaced by as many newlines as they span: offsets keep their line numbers."""
    return re.sub(r"/\*.*?\*/|//[^\n]*", lambda m: "\n" * m.group(0).count("\n") + " ", src,
                  flags=re.S)


C_STR = r'"((?:[^"\\]|\\.)*)"'


def c_tables(src):
    """(table name, entry name, offset) for every array initializer: the first string of each
    {...} entry of a table of structures, every string of a table of strings."""
    out = []
    for m in re.finditer(r"(\w+)\s*\[[^\]]*\]\s*=\s*\{", src):
        i = j = m.end()
        depth = 1
        while depth and j < len(src):
            depth += (src[j] == "{") - (src[j] == "}")
            j += 1
        body = src[i:j - 1]
        if body.lstrip().startswith("{"):
            depth, start = 0, 0
            for k, ch in enumerate(body):
                if ch == "{":
                    depth += 1
                    if depth == 1:
                        start = k + 1
                elif ch == "}":
                    if depth == 1:
                        lit = re.match(r"\s*" + C_STR, body[start:k])
                        if lit:
                            out.append((m.group(1), lit.group(1), i + start))
                    depth -= 1
        else:
            for lit in re.finditer(C_STR, body):
                out.append((m.group(1), lit.group(1), i + lit.start()))
    return out


def c_compared(src):
    """(word, offset) for every strcmp(VAR, "word") / strcasecmp(VAR, "word") (whole words;
    strncmp compares prefixes and is left out)."""
    out = []
    for m in re.finditer(r"\bstr(?:case)?cmp\(\s*[^,()\"]+(?:\([^()]*\))?\s*,\s*" + C_STR +
                         r"\s*\)", src):
        out.append((m.group(1), m.start()))
    return out


def is_word(w):
    return re.fullmatch(r"[-.]?[A-Za-z][\w.+-]*", w) is not None


# ---------------------------------------------------------------- markdown and troff text

def md_code_tokens(md):
    """The words of every code span and code block of a markdown text."""
    toks = set()

    def add(s):
        for t in re.split(r"[\s|\[\](),{}=;:'\"]+|\\\|", s):
            if t:
                toks.add(t)
    fence = r"^```.*?^```"
    for m in re.finditer(fence, md, flags=re.S | re.M):
        add(m.group(0).strip("`"))
    for m in re.finditer(r"`([^`]+)`", re.sub(fence, "", md, flags=re.S | re.M)):
        add(m.group(1))
    return toks


def md_section(md, title_re):
    """The text of the level-2 section whose title matches, up to the next level-2 title."""
    m = re.search(r"^## " + title_re + r".*?$(.*?)(?=^## |\Z)", md, flags=re.S | re.M)
    return m.group(1) if m else ""


TROFF_ESC = [(r"\\f[BIRPC]|\\f\(..|\\f\[[A-Z]*\]", ""), (r"\\-", "-"), (r"\\\(aq", "'"),
             (r"\\\((?:lq|rq)", '"'), (r"\\\(em", "--"), (r"\\&", ""), (r"\\ ", " "),
             (r"\\c", ""), (r"\\e", "\\\\")]


def troff_args(s):
    return [m.group(1) if m.group(1) is not None else m.group(2)
            for m in re.finditer(r'"((?:[^"]|"")*)"|(\S+)', s)]


def troff_line(line):
    """The text a troff line shows (font macros' arguments joined as they render)."""
    if line.startswith((".", "'")):
        m = re.match(r"[.'](\w+)\s*(.*)", line)
        if not m:
            return ""
        mac, rest = m.groups()
        if mac in ("B", "I", "SM", "SB", "SH", "SS", "IP"):
            text = " ".join(troff_args(rest))
        elif mac in ("BR", "RB", "BI", "IB", "IR", "RI"):
            text = "".join(troff_args(rest))
        else:
            return ""
    else:
        text = line
    for pat, rep in TROFF_ESC:
        text = re.sub(pat, rep, text)
    return text


def man_sections(page):
    """{SECTION TITLE: [(text of each line, is .TP tag)]}"""
    secs, cur, tag_next = {}, None, False
    for line in page.splitlines():
        if line.startswith(".SH"):
            cur = troff_line(line).strip().upper()
            secs[cur] = []
            tag_next = False
            continue
        if line.startswith(".TP"):
            tag_next = True
            continue
        if cur is not None:
            t = troff_line(line)
            if t.strip() or not line.startswith("."):
                secs[cur].append((t, tag_next))
                tag_next = False
    return secs


def man_text(page):
    return re.sub(r"\s+", " ", " ".join(t for s in man_sections(page).values() for t, _ in s))


def man_tags(page, section):
    return [re.sub(r"\s+", " ", t).strip() for t, tag in man_sections(page).get(section, []) if tag]


def has_phrase(text, phrase):
    return re.search(r"(?<![\w-])" + re.escape(phrase) + r"(?![\w-])", text) is not None


# ---------------------------------------------------------------- the checks

def socket_commands(root):
    """The stats socket's commands: the table of commands.c, then cmdlang.c's built-ins."""
    src = strip_c_comments(read(root, "controlplane/commands.c"))
    cmds = [name for table, name, _ in c_tables(src) if table == "commands"]
    if not cmds:
        problem("controlplane/commands.c: no 'commands[]' table found (update tests/docs/check_docs.py)")
    proto = read(root, "controlplane/stats/stats_proto.h")
    macros = dict(re.findall(r"#define\s+(SL_PROTO_CMD_\w+)\s+" + C_STR, proto))
    lang = strip_c_comments(read(root, "controlplane/stats/cmdlang.c"))
    for m in re.finditer(r"\{\s*(SL_PROTO_CMD_\w+)\s*,", lang):
        if m.group(1) in macros:
            cmds.append(macros[m.group(1)])
    return cmds


def check_socket_commands(root):
    page = read(root, "dist/man/sluicectl.8")
    tags = man_tags(page, "COMMANDS")
    ops = md_section(read(root, "docs/operations.md"), r"\d+\. The stats socket")
    if not ops:
        problem("docs/operations.md: no section '## N. The stats socket ...'")
    ops = re.sub(r"\s+", " ", ops)
    for cmd in socket_commands(root):
        if not any(t == cmd or t.startswith(cmd + " ") for t in tags):
            problem(f"dist/man/sluicectl.8: COMMANDS has no entry (.TP) for the socket command '{cmd}'")
        if not has_phrase(ops, cmd):
            problem(f"docs/operations.md, 'The stats socket': the socket command '{cmd}' is not named")


def check_sluicectl(root, binary):
    src = strip_c_comments(read(root, "tools/sluicectl.c"))
    words = set()
    for w, _ in c_compared(src):
        if w.startswith("-") and w != "--":
            words.add(w)
    words.update(m.group(1) for m in re.finditer(r"strcmp\(a, \"(\w+)\"\)", src))
    words.update(m.group(1) for m in re.finditer(r"word_is\(&o, 0, \"(\w+)\"\)", src))
    words.discard("show")  # the first word of socket commands, checked with them
    text = man_text(read(root, "dist/man/sluicectl.8"))
    help_text = None
    if binary:
        r = subprocess.run([binary, "--help"], capture_output=True, text=True)
        help_text = r.stdout
        if r.returncode != 0:
            problem(f"{binary} --help: exit status {r.returncode}")
    for w in sorted(words):
        if not has_phrase(text, w):
            problem(f"dist/man/sluicectl.8: the sluicectl word '{w}' (tools/sluicectl.c) is not described")
        if help_text is not None and not has_phrase(help_text, w):
            problem(f"sluicectl --help: the sluicectl word '{w}' is not described")


def check_sluiced(root):
    src = strip_c_comments(read(root, "controlplane/sluiced.c"))
    opts = ["--" + m.group(1) for m in re.finditer(r'\{\s*"([\w-]+)"\s*,\s*\w+_argument', src)]
    m = re.search(r'getopt_long\([^,]+,[^,]+,\s*"([^"]*)"', src)
    opts += ["-" + ch for ch in (m.group(1) if m else "") if ch != ":"]
    tags = " ".join(man_tags(read(root, "dist/man/sluiced.8"), "OPTIONS"))
    for o in opts:
        if not has_phrase(tags, o):
            problem(f"dist/man/sluiced.8: OPTIONS has no entry (.TP) for the option '{o}' "
                    "(controlplane/sluiced.c)")


def check_config_keywords(root):
    toks = md_code_tokens(read(root, "docs/config.md"))
    cfgdir = os.path.join(root, "controlplane/cfg")
    for name in sorted(os.listdir(cfgdir)):
        if not name.endswith(".c") or name in NOT_PARSER:
            continue
        rel = "controlplane/cfg/" + name
        src = strip_c_comments(read(root, rel))
        seen = set()
        found = [(w, pos) for _, w, pos in c_tables(src)] + c_compared(src)
        for w, pos in sorted(found, key=lambda x: x[1]):
            if not is_word(w) or w in seen or w in NOT_KEYWORDS:
                continue
            seen.add(w)
            if w not in toks:
                problem(f"docs/config.md: the keyword '{w}' ({rel}:{line_of(src, pos)}) is in no "
                        "code span")


def check_setup(root):
    script = read(root, "tools/sluice-setup")
    m = re.search(r'case "\$sub" in\s*\n\s*([^)]*)\)', script)
    subs = [s.strip() for s in m.group(1).split("|")] if m else []
    if not subs:
        problem("tools/sluice-setup: no 'case \"$sub\" in' list found (update tests/docs/check_docs.py)")
    opts = set()
    for m in re.finditer(r"^\s*((?:-[-\w]+(?:=\*)?\s*\|\s*)*-[-\w]+(?:=\*)?)\)", script, flags=re.M):
        for o in m.group(1).split("|"):
            opts.add(o.strip().removesuffix("=*"))
    path = os.path.join(root, "dist/man/sluice-setup.8")
    if not os.path.exists(path):
        problem("dist/man/sluice-setup.8 does not exist")
        return
    page = read(root, "dist/man/sluice-setup.8")
    tags = man_tags(page, "COMMANDS")
    text = man_text(page)
    for s in subs:
        if not any(t == s or t.startswith(s + " ") for t in tags):
            problem(f"dist/man/sluice-setup.8: COMMANDS has no entry (.TP) for the subcommand '{s}'")
    for o in sorted(opts):
        if not has_phrase(text, o):
            problem(f"dist/man/sluice-setup.8: the option '{o}' (tools/sluice-setup) is not described")


def check_man_pages(root):
    mandir = os.path.join(root, "dist/man")
    pages = sorted(f for f in os.listdir(mandir) if re.search(r"\.\d$", f))
    have = {tuple(p.rsplit(".", 1)) for p in pages}
    man, groff = shutil.which("man"), shutil.which("groff")
    for p in pages:
        page = read(root, "dist/man/" + p)
        for sec, lines in man_sections(page).items():
            for t, _ in lines:
                for name, num in re.findall(r"([\w.-]+) ?\((\d)\)", t):
                    if (name, num) in have or (name, num) in EXTERNAL_PAGES:
                        continue
                    if name.startswith("sluice"):
                        problem(f"dist/man/{p}: names {name}({num}), which is not in dist/man")
                    elif sec == "SEE ALSO":
                        problem(f"dist/man/{p}: SEE ALSO names {name}({num}), a page not known to "
                                "exist (add it to EXTERNAL_PAGES in tests/docs/check_docs.py if it does)")
        env = dict(os.environ, MANWIDTH="80", LC_ALL="C.UTF-8")
        cmd = ([man, "--warnings", "-E", "UTF-8", "-l", os.path.join(mandir, p)] if man else
               [groff, "-man", "-Tutf8", "-ww", "-z", os.path.join(mandir, p)] if groff else None)
        if cmd:
            r = subprocess.run(cmd, capture_output=True, text=True, env=env)
            err = r.stderr.strip()
            if r.returncode != 0 or err:
                problem(f"dist/man/{p}: {os.path.basename(cmd[0])} warnings: "
                        f"{err or 'exit status %d' % r.returncode}")


def check_stale(root):
    files = ["README.md"] + ["docs/" + f for f in sorted(os.listdir(os.path.join(root, "docs")))
                             if f.endswith(".md")]
    files += ["dist/man/" + f for f in sorted(os.listdir(os.path.join(root, "dist/man")))]
    for rel in files:
        text = read(root, rel)
        for m in re.finditer(STALE, text, flags=re.I):
            problem(f"{rel}:{line_of(text, m.start())}: '{m.group(0)}': say what the code "
                        "does now, or name the issue that will do it")


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    root, binary = argv[1], None
    if "--sluicectl" in argv:
        binary = argv[argv.index("--sluicectl") + 1]
    check_socket_commands(root)
    check_sluicectl(root, binary)
    check_sluiced(root)
    check_config_keywords(root)
    check_setup(root)
    check_man_pages(root)
    check_stale(root)
    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems)} problem(s): document what the code does (tests/docs/check_docs.py)")
        return 1
    print("docs: every socket command, sluicectl and sluice-setup word and configuration "
          "keyword is documented")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
