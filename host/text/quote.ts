// What a message quotes from the user's input is cut: a 2 MB field or a
// 100,001-column header must not become a 2 MB error line.

/** Characters of the input a message shows before it cuts. */
export const QUOTE_MAX = 80;

/** `text`, cut to QUOTE_MAX characters with "..." when longer. */
export function cut(text: string, max = QUOTE_MAX): string {
  return text.length > max ? `${text.slice(0, max)}...` : text;
}

/** A list of names as a message shows it: comma-separated, cut, with how many there are when cut. */
export function cutList(names: readonly string[], max = QUOTE_MAX): string {
  const joined = names.join(",");
  return joined.length > max ? `${joined.slice(0, max)}... (${names.length} in all)` : joined;
}
