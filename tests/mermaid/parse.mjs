// Parse each file named on the command line with Mermaid's own parser.
// Prints "ok <type>" per file, or the parse error and exits 1.
import { readFileSync } from 'node:fs';
import DOMPurify from 'dompurify';

// Mermaid sanitizes labels with DOMPurify, which needs a browser DOM.
// Parsing does not: stand in for the three calls it makes.
Object.assign(DOMPurify, {
  addHook() {},
  removeHooks() {},
  sanitize: (text) => String(text),
});
const { default: mermaid } = await import('mermaid');

let failed = false;
for (const file of process.argv.slice(2)) {
  try {
    const result = await mermaid.parse(readFileSync(file, 'utf8'));
    console.log(`ok ${result.diagramType} ${file}`);
  } catch (error) {
    failed = true;
    console.log(`error ${file}: ${String(error.message ?? error)}`);
  }
}
process.exit(failed ? 1 : 0);
