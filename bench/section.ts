/** Replaces one marked section of a Markdown file, leaving every other byte alone. */

export const BENCH_START = '<!-- bench:start';
export const BENCH_END = '<!-- bench:end -->';

/**
 * Puts `section` (which must itself start with the start marker and end with the end marker) in
 * place of the marked section of `document`, or appends it after the title when there is none yet.
 */
export function replaceSection(
  document: string,
  section: string,
  start: string = BENCH_START,
  end: string = BENCH_END,
): string {
  if (!section.startsWith(start) || !section.trimEnd().endsWith(end)) {
    throw new Error('the section must begin and end with its markers');
  }
  const from = document.indexOf(start);
  if (from >= 0) {
    const to = document.indexOf(end, from);
    if (to < 0) throw new Error(`found "${start}" without "${end}"`);
    return document.slice(0, from) + section.trimEnd() + document.slice(to + end.length);
  }
  // New section: right after the first heading (the file's title), before older sections.
  const title = /^# .*\n/m.exec(document);
  if (!title) return `${document.trimEnd()}\n\n${section.trimEnd()}\n`;
  const at = title.index + title[0].length;
  return `${document.slice(0, at)}\n${section.trimEnd()}\n${document.slice(at)}`;
}
