/**
 * The passphrase of an encrypted backup: from a file (--passphrase-file; its first line), or
 * typed at the terminal without echo. Never from the command line, where other users of the
 * machine and the shell's history would see it.
 */
import { readFileSync } from 'node:fs';
import { CliError } from '../common';

/** Fewer characters than this is refused for a new backup: it guards the KEK. */
export const MIN_PASSPHRASE = 12;

function ask(prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const input = process.stdin;
    if (!input.isTTY)
      return reject(new CliError('no terminal to ask for the passphrase on: give --passphrase-file FILE'));
    process.stderr.write(prompt);
    input.setRawMode(true);
    input.resume();
    let typed = '';
    const done = (e?: Error) => {
      input.setRawMode(false);
      input.pause();
      input.off('data', onData);
      process.stderr.write('\n');
      if (e) reject(e);
      else resolve(typed);
    };
    const onData = (d: Buffer) => {
      for (const ch of d.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new CliError('cancelled'));
        if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
        else typed += ch;
      }
    };
    input.on('data', onData);
  });
}

/** Read the passphrase: the first line of `file`, or asked for (twice when `confirm`). */
export async function readPassphrase(file: string | undefined, confirm: boolean): Promise<string> {
  let p: string;
  if (file) {
    try {
      p = readFileSync(file, 'utf8').split(/\r?\n/)[0] ?? '';
    } catch (e) {
      throw new CliError(`--passphrase-file: ${(e as Error).message}`, { code: 'INVALID_INPUT' });
    }
  } else {
    p = await ask('Passphrase: ');
    if (confirm && (await ask('Again: ')) !== p) throw new CliError('the passphrases differ');
  }
  if (confirm && p.length < MIN_PASSPHRASE)
    throw new CliError(`the passphrase must have at least ${MIN_PASSPHRASE} characters`, { code: 'INVALID_INPUT' });
  if (!p) throw new CliError('the passphrase is empty', { code: 'INVALID_INPUT' });
  return p;
}
