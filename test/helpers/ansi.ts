/** True when the text contains a terminal escape sequence (colors, cursor moves). */
export const hasEscapeCodes = (text: string): boolean => text.includes('\u001b[');
