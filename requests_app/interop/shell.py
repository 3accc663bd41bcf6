"""Split pasted shell commands into words, and quote words for a shell.

Usage::

    from requests_app.interop.shell import split_commands, quote_posix

    for command in split_commands(text, format_name="cURL command"):
        command.words          # [Word("curl", line=1), Word("-H", line=2), ...]
        command.notes          # things the shell would have done that we did not
    quote_posix("it's")        # 'it'"'"'s'  ->  safe to paste into sh, bash, zsh

Two grammars: POSIX sh (quotes, `$'…'`, backslash-newline continuations, comments,
`;` `&&` `|` separators, redirections skipped) and Windows cmd.exe as browsers write
"Copy as cURL (cmd)" (`^` escapes and `^`-newline continuations, then the C runtime's
double-quote rules). `$NAME` and `${NAME}` become `{{NAME}}` variables, with a note;
command substitutions and globs are kept as written. An unterminated quote is an
ImportFormatError with its line and column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from requests_app.interop.limits import line_col
from requests_app.interop.model import ImportFormatError


@dataclass
class Word:
    text: str
    line: int


@dataclass
class Command:
    words: list[Word] = field(default_factory=list)
    notes: list[tuple[int, str]] = field(default_factory=list)  # (line, message)
    line: int = 1


_ANSI_C_ESCAPES = {
    "a": "\a",
    "b": "\b",
    "e": "\x1b",
    "E": "\x1b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
    "\\": "\\",
    "'": "'",
    '"': '"',
    "?": "?",
}
_HEX = re.compile(r"[0-9A-Fa-f]")
_OCTAL = re.compile(r"[0-7]")
_SHELL_VARIABLE = re.compile(r"\$(?:([A-Za-z_][A-Za-z0-9_]*)|\{([A-Za-z_][A-Za-z0-9_]*)\})")
_SUBSTITUTION = re.compile(r"\$\(|`")
_UNQUOTED_RUN = re.compile(r"[^ \t\n\\'\"$;&|<>]+|\$")
_OPERATORS = ("&&", "||", ";;", ";", "&", "|")


def looks_like_windows(text: str) -> bool:
    """cmd.exe continuations (`^` at a line end) or caret-escaped quotes."""
    return bool(re.search(r"\^\r?\n", text)) or '^"' in text


def split_commands(text: str, *, format_name: str) -> list[Command]:
    if looks_like_windows(text):
        return _split_windows(text, format_name)
    return _PosixSplitter(text, format_name).run()


class _PosixSplitter:
    def __init__(self, text: str, format_name: str) -> None:
        self.text = text.replace("\r\n", "\n")
        self.format_name = format_name
        self.pos = 0
        self.line = 1
        self.commands: list[Command] = [Command()]
        self.word: list[str] | None = None
        self.word_line = 1
        self.skip_next_word = False  # the target of a redirection
        self.expansion_noted = False

    # -- helpers
    def _error(self, offset: int, message: str) -> ImportFormatError:
        return ImportFormatError(self.format_name, line_col(self.text, offset), message)

    def _start_word(self) -> list[str]:
        if self.word is None:
            self.word = []
            self.word_line = self.line
        return self.word

    def _end_word(self) -> None:
        if self.word is None:
            return
        text = "".join(self.word)
        self.word = None
        if self.skip_next_word:
            self.skip_next_word = False
            return
        command = self.commands[-1]
        if not command.words:
            command.line = self.word_line
        command.words.append(Word(text, self.word_line))

    def _dollar(self, at: int, out: list[str]) -> int:
        """`$NAME` / `${NAME}` become `{{NAME}}`; anything else after `$` stays as written."""
        match = _SHELL_VARIABLE.match(self.text, at)
        if match:
            name = match.group(1) or match.group(2)
            out.append("{{" + name + "}}")
            self.commands[-1].notes.append((self.line, f"shell variable ${name} became the variable {{{{{name}}}}}"))
            return match.end()
        if _SUBSTITUTION.match(self.text, at) and not self.expansion_noted:
            self.expansion_noted = True
            self.commands[-1].notes.append((self.line, "shell command substitution is kept as written, not run"))
        out.append(self.text[at])
        return at + 1

    def _end_command(self) -> None:
        self._end_word()
        if self.commands[-1].words:
            self.commands.append(Command())

    # -- the scanner
    def run(self) -> list[Command]:
        text = self.text
        n = len(text)
        while self.pos < n:
            char = text[self.pos]
            if char == "\\":
                self._backslash()
            elif char == "'":
                self._single_quoted()
            elif char == "$" and text.startswith("$'", self.pos):
                self._ansi_c_quoted()
            elif char == '"' or (char == "$" and text.startswith('$"', self.pos)):
                self._double_quoted()
            elif char == "#" and self.word is None:
                end = text.find("\n", self.pos)
                self.pos = n if end == -1 else end
            elif char == "\n":
                self._newline()
            elif char in " \t":
                self._end_word()
                self.pos += 1
            elif char in ";&|":
                self._operator()
            elif char in "<>":
                self._redirection()
            else:
                self._unquoted_run()
        self._end_word()
        return [c for c in self.commands if c.words]

    def _backslash(self) -> None:
        nxt = self.text[self.pos + 1 : self.pos + 2]
        if nxt == "\n":  # continuation: the line break disappears
            self.pos += 2
            self.line += 1
            return
        if nxt == "":
            self.pos += 1
            return
        self._start_word().append(nxt)
        self.pos += 2

    def _single_quoted(self) -> None:
        end = self.text.find("'", self.pos + 1)
        if end == -1:
            raise self._error(self.pos, "a single quote (') is never closed")
        chunk = self.text[self.pos + 1 : end]
        self._start_word().append(chunk)
        self.line += chunk.count("\n")
        self.pos = end + 1

    def _ansi_c_quoted(self) -> None:
        start = self.pos
        i = self.pos + 2
        text = self.text
        out = self._start_word()
        while True:
            if i >= len(text):
                raise self._error(start, "a $'...' string is never closed")
            char = text[i]
            if char == "'":
                break
            if char != "\\":
                out.append(char)
                self.line += char == "\n"
                i += 1
                continue
            code = text[i + 1 : i + 2]
            i += 2
            if code in _ANSI_C_ESCAPES:
                out.append(_ANSI_C_ESCAPES[code])
            elif code == "x":
                digits = _take(text, i, _HEX, 2)
                out.append(chr(int(digits, 16)) if digits else "\\x")
                i += len(digits)
            elif code in ("u", "U"):
                digits = _take(text, i, _HEX, 4 if code == "u" else 8)
                try:
                    out.append(chr(int(digits, 16)) if digits else "\\" + code)
                except (ValueError, OverflowError):
                    raise self._error(i, f"\\{code}{digits} is not a Unicode character") from None
                i += len(digits)
            elif _OCTAL.match(code):
                digits = code + _take(text, i, _OCTAL, 2)
                out.append(chr(int(digits, 8) & 0xFF))
                i += len(digits) - 1
            elif code == "c" and i < len(text):
                out.append(chr(ord(text[i]) & 0x1F))
                i += 1
            else:
                out.append("\\" + code)
        self.pos = i + 1

    def _double_quoted(self) -> None:
        start = self.pos
        i = self.pos + (2 if self.text[self.pos] == "$" else 1)
        text = self.text
        out = self._start_word()
        while True:
            if i >= len(text):
                raise self._error(start, 'a double quote (") is never closed')
            char = text[i]
            if char == '"':
                break
            if char == "\\" and text[i + 1 : i + 2] in ('"', "\\", "$", "`", "\n"):
                escaped = text[i + 1]
                if escaped == "\n":
                    self.line += 1
                else:
                    out.append(escaped)
                i += 2
                continue
            if char == "$":
                i = self._dollar(i, out)
                continue
            if char == "`":
                self._dollar(i, [])  # notes the substitution; the backtick itself is kept below
            self.line += char == "\n"
            out.append(char)
            i += 1
        self.pos = i + 1

    def _newline(self) -> None:
        self._end_word()
        self.pos += 1
        self.line += 1
        # A pasted command whose lines lost their trailing backslashes: an option on the
        # next line still belongs to it (a shell would run it as a new command).
        rest = self.text[self.pos :]
        stripped = rest.lstrip(" \t")
        if self.commands[-1].words and stripped.startswith("-"):
            self.commands[-1].notes.append(
                (self.line, "joined to the line before it, which did not end with a backslash")
            )
            return
        self._end_command()

    def _operator(self) -> None:
        op = next(o for o in _OPERATORS if self.text.startswith(o, self.pos))
        following = self.text[self.pos + 1 : self.pos + 2]
        if op == "&" and self.word is not None and following and not following.isspace():
            # `curl http://h/?a=1&b=2` unquoted: a shell would split the command here, but
            # the person clearly meant one URL.
            self.word.append("&")
            self.pos += 1
            if not any("unquoted &" in note for _, note in self.commands[-1].notes):
                self.commands[-1].notes.append(
                    (self.line, "an unquoted & was kept inside the word (a shell would have split the command there)")
                )
            return
        if op == "&" and self.text.startswith("&>", self.pos):
            self._redirection()
            return
        self._end_word()
        self.pos += len(op)
        if op == "|":
            # `curl ... | jq .`: what follows is a separate program reading curl's output.
            self.commands[-1].notes.append((self.line, "output piped to another program; the pipe is ignored"))
        self._end_command()

    def _redirection(self) -> None:
        # A word of digits right before the operator is a file descriptor (2>/dev/null).
        if self.word is not None and "".join(self.word).isdigit():
            self.word = None
        else:
            self._end_word()
        match = re.compile(r"&>>?|[<>]{1,2}&?|<<<").match(self.text, self.pos)
        op = match.group() if match else self.text[self.pos]
        self.pos += len(op)
        if op.endswith("&"):  # 2>&1: the target is a descriptor
            target = re.compile(r"[0-9-]+").match(self.text, self.pos)
            self.pos = target.end() if target else self.pos
        else:
            self.skip_next_word = True
        self.commands[-1].notes.append((self.line, f"shell redirection {op} ignored"))

    def _unquoted_run(self) -> None:
        match = _UNQUOTED_RUN.match(self.text, self.pos)
        assert match is not None
        if match.group() == "$":
            self.pos = self._dollar(self.pos, self._start_word())
            return
        self._start_word().append(match.group())
        self.pos = match.end()


def _take(text: str, start: int, pattern: re.Pattern[str], most: int) -> str:
    end = start
    while end < len(text) and end - start < most and pattern.match(text[end]):
        end += 1
    return text[start:end]


# ---------------------------------------------------------------- Windows cmd.exe


def _split_windows(text: str, format_name: str) -> list[Command]:
    """cmd.exe removes carets (outside its own quotes), then the C runtime splits argv."""
    commands: list[Command] = [Command()]
    text = text.replace("\r\n", "\n")
    cmd_out: list[tuple[str, int]] = []  # characters after cmd.exe's pass, with their line
    line = 1
    in_cmd_quotes = False
    i = 0
    while i < len(text):
        char = text[i]
        if char == '"':
            in_cmd_quotes = not in_cmd_quotes
            cmd_out.append((char, line))
        elif char == "^" and not in_cmd_quotes:
            nxt = text[i + 1 : i + 2]
            if nxt == "\n":  # continuation
                line += 1
                i += 2
                continue
            if nxt:
                cmd_out.append((nxt, line))
            i += 2
            continue
        elif char == "\n":
            in_cmd_quotes = False
            line += 1
            cmd_out.append(("\n", line))
        elif char == "&" and not in_cmd_quotes:
            cmd_out.append(("\n", line))  # `a & b` runs two commands, as a newline does
        else:
            cmd_out.append((char, line))
        i += 1
    # C runtime rules: whitespace separates; "..." groups; \" is a quote; "" inside quotes is a quote.
    word: list[str] | None = None
    word_line = 1
    in_quotes = False
    j = 0

    def end_word() -> None:
        nonlocal word
        if word is not None:
            commands[-1].words.append(Word("".join(word), word_line))
            word = None

    while j < len(cmd_out):
        char, char_line = cmd_out[j]
        if char == "\\":
            k = j
            while k < len(cmd_out) and cmd_out[k][0] == "\\":
                k += 1
            count = k - j
            if word is None:
                word, word_line = [], char_line
            if k < len(cmd_out) and cmd_out[k][0] == '"':
                word.append("\\" * (count // 2))
                if count % 2:
                    word.append('"')
                    k += 1
            else:
                word.append("\\" * count)
            j = k
            continue
        if char == '"':
            if word is None:
                word, word_line = [], char_line
            if in_quotes and j + 1 < len(cmd_out) and cmd_out[j + 1][0] == '"':
                word.append('"')
                j += 2
                continue
            in_quotes = not in_quotes
            j += 1
            continue
        if char == "\n" and not in_quotes:
            end_word()
            if commands[-1].words:
                commands.append(Command())
            j += 1
            continue
        if char in " \t" and not in_quotes:
            end_word()
            j += 1
            continue
        if word is None:
            word, word_line = [], char_line
        word.append(char)
        j += 1
    if in_quotes:
        raise ImportFormatError(format_name, f"line {word_line}", 'a double quote (") is never closed')
    end_word()
    for command in commands:
        if command.words:
            command.line = command.words[0].line
    return [c for c in commands if c.words]


# ---------------------------------------------------------------- quoting for export

_POSIX_SAFE = re.compile(r"[A-Za-z0-9_@%+=:,./-]+")


def quote_posix(word: str) -> str:
    """Quote for sh/bash/zsh: bare when safe, '...' otherwise, $'...' for control characters."""
    if _POSIX_SAFE.fullmatch(word):
        return word
    if re.search(r"[\x00-\x08\x0b-\x1f\x7f]", word):
        return "$'" + "".join(_ansi_c_char(c) for c in word) + "'"
    return "'" + word.replace("'", "'\"'\"'") + "'"


_SHELL_PLACEHOLDER = re.compile(r"(\$WEBCLIENT_[A-Z_]+)")


def quote_posix_filling(word: str) -> str:
    """quote_posix, except that `$WEBCLIENT_…` placeholders (masked credentials) stay outside
    the single quotes, in double quotes, so the shell fills them in: 'alice:'"$WEBCLIENT_PASSWORD"."""
    pieces = _SHELL_PLACEHOLDER.split(word)
    if len(pieces) == 1:
        return quote_posix(word)
    return "".join(
        f'"{piece}"' if index % 2 else quote_posix(piece) for index, piece in enumerate(pieces) if piece
    )


def _ansi_c_char(char: str) -> str:
    if char == "'":
        return "\\'"
    if char == "\\":
        return "\\\\"
    if char == "\n":
        return "\\n"
    if char == "\t":
        return "\\t"
    if char == "\r":
        return "\\r"
    if ord(char) < 0x20 or ord(char) == 0x7F:
        return f"\\x{ord(char):02x}"
    return char
