// Fails when SQL that only one database understands is written outside that database's files.
// Dialect files are `*.sqlite.ts` / `*.postgres.ts` and the drivers lib/db/sqlite*.ts,
// lib/db/postgres.ts; everything else writes SQL both dialects run (ON CONFLICT, RETURNING, …)
// and asks a dialect file for the rest (lib/db/locks.ts, lib/queue/lease.ts, lib/db/migrate.ts).
// Only string and template literals are read, so comments may name the dialects' features.
//
// `node scripts/check-dialect-sql.mjs [root]` (npm run check); tests/unit/layer-rules.test.ts
// runs it on a fixture.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

import ts from "typescript";

const ROOTS = ["lib", "app", "server.ts", "bin"];
const SKIP = /(^|\/)(node_modules|generated)(\/|$)/;

/** Tokens of one dialect that the other rejects or reads differently. Keywords are matched in upper case, as our SQL writes them. */
export const DIALECT_TOKENS = [
  { dialect: "postgres", name: "FOR UPDATE / FOR SHARE row locks", re: /\bFOR\s+(UPDATE|SHARE|NO\s+KEY\s+UPDATE)\b/ },
  { dialect: "postgres", name: "SKIP LOCKED / NOWAIT", re: /\b(SKIP\s+LOCKED|NOWAIT)\b/ },
  { dialect: "postgres", name: "a :: cast", re: /::\s*[a-z_]+/i },
  { dialect: "postgres", name: "= ANY(…)", re: /\bANY\s*\(/ },
  { dialect: "postgres", name: "unnest()", re: /\bunnest\s*\(/i },
  { dialect: "postgres", name: "a pg_* function", re: /\bpg_[a-z_]+\s*\(/i },
  { dialect: "postgres", name: "LISTEN / NOTIFY", re: /^\s*(UN)?LISTEN\s|^\s*NOTIFY\s/ },
  { dialect: "postgres", name: "LATERAL", re: /\bLATERAL\b/ },
  { dialect: "postgres", name: "ILIKE", re: /\bILIKE\b/ },
  { dialect: "postgres", name: "DISTINCT ON", re: /\bDISTINCT\s+ON\b/ },
  { dialect: "postgres", name: "a PostgreSQL type", re: /\b(JSONB|TIMESTAMPTZ|BIGSERIAL|SERIAL)\b/i },
  { dialect: "sqlite", name: "PRAGMA", re: /\bPRAGMA\b/ },
  { dialect: "sqlite", name: "INSERT OR IGNORE / REPLACE", re: /\bINSERT\s+OR\s+(IGNORE|REPLACE|ABORT|FAIL|ROLLBACK)\b/ },
  { dialect: "sqlite", name: "BEGIN IMMEDIATE / EXCLUSIVE", re: /\bBEGIN\s+(IMMEDIATE|EXCLUSIVE|DEFERRED)\b/ },
  {
    dialect: "sqlite",
    name: "a SQLite function",
    re: /\b(json_extract|strftime|datetime|julianday|last_insert_rowid|changes)\s*\(/i,
  },
  { dialect: "sqlite", name: "AUTOINCREMENT", re: /\bAUTOINCREMENT\b/ },
  { dialect: "sqlite", name: "a sqlite_* table", re: /\bsqlite_[a-z_]+/i },
  { dialect: "sqlite", name: "GLOB", re: /\bGLOB\b/ },
  { dialect: "sqlite", name: "a SQLite type", re: /\b(DATETIME|UNSIGNED)\b/ },
];

export function isDialectFile(file) {
  const base = path.basename(file);
  if (/\.(sqlite|postgres)\.(m?[jt]sx?)$/.test(base)) return true;
  const dir = path.dirname(file).split(path.sep).join("/");
  return /(^|\/)lib\/db$/.test(dir) && /^(sqlite|postgres)\b/.test(base);
}

/** The literal texts of a file, each with its line. */
function literals(file, text) {
  const kind = file.endsWith("x") ? ts.ScriptKind.TSX : file.endsWith(".mjs") ? ts.ScriptKind.JS : ts.ScriptKind.TS;
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, kind);
  const out = [];
  const visit = (node) => {
    if (
      ts.isStringLiteral(node) ||
      ts.isNoSubstitutionTemplateLiteral(node) ||
      node.kind === ts.SyntaxKind.TemplateHead ||
      node.kind === ts.SyntaxKind.TemplateMiddle ||
      node.kind === ts.SyntaxKind.TemplateTail
    ) {
      // import specifiers ("./lease.postgres") are module names, not SQL
      if (!(ts.isStringLiteral(node) && (ts.isImportDeclaration(node.parent) || ts.isExportDeclaration(node.parent))))
        out.push({ text: node.text, line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

export function findDialectSql(files) {
  const problems = [];
  for (const file of files) {
    if (isDialectFile(file)) continue;
    for (const { text, line } of literals(file, readFileSync(file, "utf8")))
      for (const token of DIALECT_TOKENS)
        if (token.re.test(text))
          problems.push(`${file}:${line}: ${token.name} is ${token.dialect} SQL; move it to a *.${token.dialect}.ts file`);
  }
  return problems;
}

function walk(p) {
  if (SKIP.test(p) || !existsSync(p)) return [];
  if (!statSync(p).isDirectory()) return /\.(m?[jt]sx?)$/.test(p) ? [p] : [];
  return readdirSync(p).flatMap((name) => walk(path.join(p, name)));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = process.argv[2] ?? ".";
  const problems = findDialectSql(ROOTS.flatMap((r) => walk(path.join(root, r))));
  for (const p of problems) console.error(p);
  if (problems.length) {
    console.error(`${problems.length} dialect-specific statement(s) outside dialect files`);
    process.exit(1);
  }
}
