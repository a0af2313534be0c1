/**
 * The READMEs as a newcomer reads them: their fenced code blocks, the `npx anxin …` commands
 * in those blocks (split into words as a shell would), and a check of such a command against
 * the CLI's own definition, so a README cannot name a command or an option the CLI lacks.
 *
 * @example
 * const lines = anxinLines(readFileSync('README.md', 'utf8'), 'README.md');
 * for (const l of lines) expect(checkAnxinArgs(buildProgram(), l.args), l.source).to.equal(undefined);
 */
import type { Command } from 'commander';

export interface CodeBlock {
  /** The file it came from, as given. */
  file: string;
  /** The info string's first word (`sh`, `json`, …), '' when none. */
  lang: string;
  text: string;
  /** 1-based line of the first line of content. */
  line: number;
  /** The nearest heading above it, without its #s. */
  heading: string;
}

/** The fenced code blocks of a CommonMark document (``` or ~~~ fences, indented ones too). */
export function codeBlocks(markdown: string, file = ''): CodeBlock[] {
  const lines = markdown.split('\n');
  const blocks: CodeBlock[] = [];
  let heading = '';
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    const h = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(l);
    if (h) {
      heading = h[1]!;
      continue;
    }
    const open = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)/.exec(l);
    if (!open) continue;
    const [, indent, fence, lang] = open as unknown as [string, string, string, string];
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const c = lines[j]!;
      if (c.trim().startsWith(fence[0]!.repeat(fence.length)) && /^\s*(`{3,}|~{3,})\s*$/.test(c)) break;
      // Content of an indented fence (in a list item) loses that indentation.
      body.push(c.startsWith(indent) ? c.slice(indent.length) : c.trimStart());
    }
    blocks.push({ file, lang, text: body.join('\n'), line: i + 2, heading });
    i = j;
  }
  return blocks;
}

/** Shell operators that end a simple command. */
const OPERATORS = new Set(['|', '||', '&', '&&', ';', '>', '>>', '<', '2>', '2>&1']);

/**
 * The words of one shell line, as sh would split them (quotes and backslashes removed), with
 * the operators that end a command (`|`, `&&`, `;`, redirections) as words of their own; a
 * comment ends the line. No expansion: `$X` stays `$X`.
 */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let w: string | undefined;
  const push = () => {
    if (w !== undefined) words.push(w);
    w = undefined;
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      w = (w ?? '') + line.slice(i + 1, end < 0 ? line.length : end);
      i = end < 0 ? line.length : end;
    } else if (c === '"') {
      let s = '';
      for (i++; i < line.length && line[i] !== '"'; i++) {
        if (line[i] === '\\' && '"\\$`'.includes(line[i + 1] ?? '')) i++;
        s += line[i];
      }
      w = (w ?? '') + s;
    } else if (c === '\\') {
      w = (w ?? '') + (line[++i] ?? '');
    } else if (/\s/.test(c)) {
      push();
    } else if (c === '#' && w === undefined) {
      break;
    } else if ('|&;<>'.includes(c)) {
      push();
      const op = ['2>&1', '&&', '||', '>>'].find((o) => line.startsWith(o, i)) ?? c;
      words.push(op);
      i += op.length - 1;
    } else {
      w = (w ?? '') + c;
    }
  }
  push();
  // `2>` written without a space: the 2 was read as a word.
  return words.flatMap((x, k) => (x === '2' && words[k + 1] === '>' ? [] : [x]));
}

export interface AnxinLine {
  file: string;
  /** 1-based line in the file where the command starts. */
  line: number;
  heading: string;
  /** The command as written (continuation lines joined, comment dropped). */
  source: string;
  /** The words after `npx anxin`. */
  args: string[];
}

/** Every `npx anxin …` command in a document's code blocks (several on one line count apart). */
export function anxinLines(markdown: string, file = ''): AnxinLine[] {
  const out: AnxinLine[] = [];
  for (const b of codeBlocks(markdown, file)) {
    const raw = b.text.split('\n');
    for (let i = 0; i < raw.length; i++) {
      const start = i;
      let logical = raw[i]!;
      while (/\\\s*$/.test(logical) && i + 1 < raw.length) logical = logical.replace(/\\\s*$/, ' ') + raw[++i]!;
      const words = shellWords(logical);
      for (let k = 0; k < words.length; k++) {
        if (words[k] !== 'npx' || words[k + 1] !== 'anxin' || (k > 0 && !OPERATORS.has(words[k - 1]!))) continue;
        let end = k + 2;
        while (end < words.length && !OPERATORS.has(words[end]!)) end++;
        const args = words.slice(k + 2, end);
        out.push({
          file,
          line: b.line + start,
          heading: b.heading,
          source: ['npx', 'anxin', ...args].join(' '),
          args,
        });
      }
    }
  }
  return out;
}

const HELP = new Set(['--help', '-h']);

/**
 * Why `anxin <args>` would be refused by the CLI as written — an unknown command or option, an
 * option without its value or with one it rejects, missing or extra arguments — or undefined
 * when the CLI accepts its words (what they name, files and ledgers, is not looked at).
 * `program` is the CLI's own (`buildProgram()` of @anxin/cli); it is used for this one check.
 */
export function checkAnxinArgs(program: Command, args: string[]): string | undefined {
  const silent = (c: Command) => {
    c.configureOutput({ writeOut: () => undefined, writeErr: () => undefined, outputError: () => undefined });
    c.commands.forEach(silent);
  };
  silent(program);
  let cmd = program;
  const path = ['anxin'];
  let i = 0;
  while (cmd.commands.length > 0 && i < args.length && !args[i]!.startsWith('-')) {
    const word = args[i]!;
    const sub = cmd.commands.find((c) => c.name() === word || c.aliases().includes(word));
    if (!sub) return `${path.join(' ')}: no command "${word}"`;
    cmd = sub;
    path.push(word);
    i++;
  }
  const rest = args.slice(i);
  const help = rest.some((a) => HELP.has(a));
  let parsed: { operands: string[]; unknown: string[] };
  try {
    parsed = cmd.parseOptions(rest.filter((a) => !HELP.has(a)));
  } catch (e) {
    return `${path.join(' ')}: ${(e as Error).message}`;
  }
  if (parsed.unknown.length > 0) return `${path.join(' ')}: no option ${parsed.unknown[0]}`;
  if (cmd.commands.length > 0 && !help)
    return `${path.join(' ')}: names no command (one of ${cmd.commands.map((c) => c.name()).join(', ')})`;
  const registered = cmd.registeredArguments;
  const required = registered.filter((a) => a.required).length;
  const most = registered.some((a) => a.variadic) ? Infinity : registered.length;
  if (!help && parsed.operands.length < required)
    return `${path.join(' ')}: needs ${required} argument(s), got ${parsed.operands.length}`;
  for (const [k, a] of registered.entries()) {
    const value = parsed.operands[k];
    if (value === undefined || !a.parseArg) continue;
    try {
      a.parseArg(value, a.defaultValue);
    } catch (e) {
      return `${path.join(' ')}: argument ${a.name()}: ${(e as Error).message}`;
    }
  }
  if (parsed.operands.length > most)
    return `${path.join(' ')}: takes at most ${most} argument(s), got ${parsed.operands.length} (${parsed.operands.join(' ')})`;
  return undefined;
}

/**
 * The JSON values printed one after another (as `jq` prints them: pretty or compact, objects,
 * arrays, strings, numbers), in order. Text between values that is not JSON is an error.
 */
export function jsonValues(text: string): unknown[] {
  const values: unknown[] = [];
  let i = 0;
  const skipSpace = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  for (skipSpace(); i < text.length; skipSpace()) {
    const start = i;
    const c = text[i]!;
    if (c === '{' || c === '[') {
      let depth = 0;
      for (; i < text.length; i++) {
        const d = text[i]!;
        if (d === '"') {
          for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
        } else if (d === '{' || d === '[') depth++;
        else if (d === '}' || d === ']') {
          depth--;
          if (depth === 0) {
            i++;
            break;
          }
        }
      }
    } else if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
      i++;
    } else {
      while (i < text.length && !/\s/.test(text[i]!)) i++;
    }
    values.push(JSON.parse(text.slice(start, i)));
  }
  return values;
}
