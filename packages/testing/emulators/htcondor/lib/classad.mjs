// HTCONDOR EMULATOR: the part of the ClassAd language the emulator needs. Not HTCondor's library.
//
// Values: a JS string, boolean, integer (a JS number that is an integer), real ({ real: n }),
// UNDEFINED (null) and ERROR ({ error: true }). An attribute whose value is an expression that was
// not evaluated (e.g. `RequestCpus = MY.DaskWorkerCores`) is stored as { expr: "source" }.
// Semantics follow the ClassAd reference (htcondor docs/classads/classad-mechanism.rst): `==` on
// strings ignores case, `=?=`/`=!=` compare identity, UNDEFINED propagates, `&&`/`||` are
// three-valued, integer arithmetic stays integral, attribute names ignore case.

export const UNDEFINED = null;
export const ERROR = Object.freeze({ error: true });

/** A ClassAd syntax error, with the text that could not be parsed. */
export class ClassAdSyntaxError extends Error {}

export const isReal = (v) => v !== null && typeof v === "object" && "real" in v;
export const isError = (v) => v !== null && typeof v === "object" && v.error === true;
export const isExpr = (v) => v !== null && typeof v === "object" && typeof v.expr === "string";
const isInt = (v) => typeof v === "number";
const isNum = (v) => isInt(v) || isReal(v);
const numOf = (v) => (isReal(v) ? v.real : v);

const TOKEN = /\s*(?:(\d+\.\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+)|(\d+)|("(?:[^"\\]|\\.)*")|([A-Za-z_][A-Za-z0-9_.]*)|(=\?=|=!=|==|!=|<=|>=|&&|\|\||[-+*/%<>!(),?:]))/y;

function tokenize(source) {
  const tokens = [];
  TOKEN.lastIndex = 0;
  let at = 0;
  while (at < source.length) {
    if (/^\s*$/.test(source.slice(at))) break;
    TOKEN.lastIndex = at;
    const m = TOKEN.exec(source);
    if (!m) throw new ClassAdSyntaxError(`cannot parse "${source}" at "${source.slice(at).trim()}"`);
    at = TOKEN.lastIndex;
    if (m[1] !== undefined) tokens.push({ kind: "real", value: Number(m[1]) });
    else if (m[2] !== undefined) tokens.push({ kind: "int", value: Number(m[2]) });
    else if (m[3] !== undefined) tokens.push({ kind: "string", value: unescape(m[3].slice(1, -1)) });
    else if (m[4] !== undefined) tokens.push({ kind: "name", value: m[4] });
    else tokens.push({ kind: "op", value: m[5] });
  }
  return tokens;
}

function unescape(text) {
  return text.replace(/\\(.)/g, (_, c) => ({ n: "\n", t: "\t", r: "\r", b: "\b", f: "\f" })[c] ?? c);
}

const BINARY = [
  ["||"],
  ["&&"],
  ["==", "!=", "=?=", "=!="],
  ["<", "<=", ">", ">="],
  ["+", "-"],
  ["*", "/", "%"],
];

/** Parses a ClassAd expression into a tree; throws ClassAdSyntaxError. */
export function parseExpression(source) {
  const tokens = tokenize(String(source));
  let i = 0;
  const peek = () => tokens[i];
  const isOp = (value) => peek()?.kind === "op" && peek().value === value;
  const expect = (value) => {
    if (!isOp(value)) throw new ClassAdSyntaxError(`expected "${value}" in "${source}"`);
    i++;
  };
  const conditional = () => {
    const test = binary(0);
    if (!isOp("?")) return test;
    i++;
    const then = conditional();
    expect(":");
    return { kind: "cond", test, then, otherwise: conditional() };
  };
  const binary = (level) => {
    if (level === BINARY.length) return unary();
    let left = binary(level + 1);
    while (peek()?.kind === "op" && BINARY[level].includes(peek().value)) {
      const op = tokens[i++].value;
      left = { kind: "binary", op, left, right: binary(level + 1) };
    }
    return left;
  };
  const unary = () => {
    if (isOp("!") || isOp("-") || isOp("+")) {
      const op = tokens[i++].value;
      return { kind: "unary", op, operand: unary() };
    }
    return primary();
  };
  const primary = () => {
    const token = tokens[i++];
    if (!token) throw new ClassAdSyntaxError(`unexpected end of "${source}"`);
    if (token.kind === "int") return { kind: "literal", value: token.value };
    if (token.kind === "real") return { kind: "literal", value: { real: token.value } };
    if (token.kind === "string") return { kind: "literal", value: token.value };
    if (token.kind === "op" && token.value === "(") {
      const inner = conditional();
      expect(")");
      return inner;
    }
    if (token.kind === "name") {
      const lower = token.value.toLowerCase();
      if (lower === "true") return { kind: "literal", value: true };
      if (lower === "false") return { kind: "literal", value: false };
      if (lower === "undefined") return { kind: "literal", value: UNDEFINED };
      if (lower === "error") return { kind: "literal", value: ERROR };
      if (isOp("(")) {
        i++;
        const args = [];
        while (!isOp(")")) {
          args.push(conditional());
          if (!isOp(")")) expect(",");
        }
        i++;
        return { kind: "call", name: lower, args };
      }
      return { kind: "attr", name: token.value };
    }
    throw new ClassAdSyntaxError(`unexpected "${token.value}" in "${source}"`);
  };
  const tree = conditional();
  if (i < tokens.length) throw new ClassAdSyntaxError(`unexpected "${tokens[i].value}" in "${source}"`);
  return tree;
}

/** The attribute of `ad` named `name`, ignoring case; undefined (JS) when absent. */
export function lookup(ad, name) {
  if (Object.hasOwn(ad, name)) return ad[name];
  const lower = name.toLowerCase();
  for (const key of Object.keys(ad)) if (key.toLowerCase() === lower) return ad[key];
  return undefined;
}

/** Evaluates an expression (source text or tree) in the scope of `ad`. */
export function evaluate(expression, ad = {}, depth = 0) {
  const tree = typeof expression === "string" ? parseExpression(expression) : expression;
  return evalTree(tree, ad, depth);
}

/** The value of attribute `name` of `ad`, evaluating a stored expression. */
export function valueOf(ad, name, depth = 0) {
  const stored = lookup(ad, name);
  if (stored === undefined) return UNDEFINED;
  if (!isExpr(stored)) return stored;
  if (depth > 32) return ERROR;
  try {
    return evaluate(stored.expr, ad, depth + 1);
  } catch {
    return ERROR;
  }
}

function evalTree(node, ad, depth) {
  switch (node.kind) {
    case "literal":
      return node.value;
    case "attr": {
      const m = /^(my|target)\.(.+)$/i.exec(node.name);
      if (m && m[1].toLowerCase() === "target") return UNDEFINED;
      return valueOf(ad, m ? m[2] : node.name, depth);
    }
    case "cond": {
      const test = evalTree(node.test, ad, depth);
      if (test === UNDEFINED) return UNDEFINED;
      if (typeof test !== "boolean") return ERROR;
      return evalTree(test ? node.then : node.otherwise, ad, depth);
    }
    case "unary": {
      const v = evalTree(node.operand, ad, depth);
      if (v === UNDEFINED) return UNDEFINED;
      if (node.op === "!") return typeof v === "boolean" ? !v : ERROR;
      if (!isNum(v)) return ERROR;
      if (node.op === "+") return v;
      return isReal(v) ? { real: -v.real } : -v;
    }
    case "binary":
      return binaryOp(node.op, () => evalTree(node.left, ad, depth), () => evalTree(node.right, ad, depth));
    case "call":
      return call(node.name, node.args.map((arg) => evalTree(arg, ad, depth)));
    default:
      return ERROR;
  }
}

function binaryOp(op, leftThunk, rightThunk) {
  if (op === "&&" || op === "||") {
    const left = leftThunk();
    if (isError(left) || (left !== UNDEFINED && typeof left !== "boolean")) return ERROR;
    if (op === "&&" && left === false) return false;
    if (op === "||" && left === true) return true;
    const right = rightThunk();
    if (isError(right) || (right !== UNDEFINED && typeof right !== "boolean")) return ERROR;
    if (left === UNDEFINED) return (op === "&&" && right === false) ? false : (op === "||" && right === true) ? true : UNDEFINED;
    return right;
  }
  const left = leftThunk();
  const right = rightThunk();
  if (op === "=?=" || op === "=!=") {
    const same = identical(left, right);
    return op === "=?=" ? same : !same;
  }
  if (isError(left) || isError(right)) return ERROR;
  if (left === UNDEFINED || right === UNDEFINED) return UNDEFINED;
  if (["==", "!=", "<", "<=", ">", ">="].includes(op)) return compare(op, left, right);
  if (op === "+" && typeof left === "string" && typeof right === "string") return ERROR;
  if (!isNum(left) || !isNum(right)) return ERROR;
  const real = isReal(left) || isReal(right);
  const a = numOf(left);
  const b = numOf(right);
  let r;
  if (op === "+") r = a + b;
  else if (op === "-") r = a - b;
  else if (op === "*") r = a * b;
  else if (op === "/") {
    if (b === 0) return ERROR;
    r = real ? a / b : Math.trunc(a / b);
  } else if (op === "%") {
    if (b === 0) return ERROR;
    r = a % b;
  }
  return real ? { real: r } : r;
}

function identical(a, b) {
  if (a === UNDEFINED || b === UNDEFINED) return a === b;
  if (isError(a) || isError(b)) return isError(a) && isError(b);
  if (isReal(a) !== isReal(b)) return false;
  return numOf(a) === numOf(b) || a === b;
}

function compare(op, left, right) {
  let a;
  let b;
  if (typeof left === "string" && typeof right === "string") {
    a = left.toLowerCase();
    b = right.toLowerCase();
  } else if (isNum(left) && isNum(right)) {
    a = numOf(left);
    b = numOf(right);
  } else if (typeof left === "boolean" && typeof right === "boolean") {
    a = Number(left);
    b = Number(right);
  } else return ERROR;
  switch (op) {
    case "==": return a === b;
    case "!=": return a !== b;
    case "<": return a < b;
    case "<=": return a <= b;
    case ">": return a > b;
    default: return a >= b;
  }
}

function call(name, args) {
  const [x] = args;
  const numeric = (fn) => (x === UNDEFINED ? UNDEFINED : isNum(x) ? fn(numOf(x)) : ERROR);
  switch (name) {
    case "floor": return numeric(Math.floor);
    case "ceiling": return numeric(Math.ceil);
    case "round": return numeric(Math.round);
    case "int": return numeric(Math.trunc);
    case "real": return numeric((n) => ({ real: n }));
    case "isundefined": return x === UNDEFINED;
    case "iserror": return isError(x);
    case "ifthenelse": return x === UNDEFINED ? UNDEFINED : typeof x === "boolean" ? (x ? args[1] : args[2]) : ERROR;
    case "string": return x === UNDEFINED ? UNDEFINED : formatValue(x);
    case "strcat": return args.some(isError) ? ERROR : args.map((a) => (a === UNDEFINED ? "" : formatValue(a))).join("");
    case "tolower": return typeof x === "string" ? x.toLowerCase() : UNDEFINED;
    case "toupper": return typeof x === "string" ? x.toUpperCase() : UNDEFINED;
    case "min": case "max": {
      if (args.some((a) => !isNum(a))) return args.some((a) => a === UNDEFINED) ? UNDEFINED : ERROR;
      const n = (name === "min" ? Math.min : Math.max)(...args.map(numOf));
      return args.some(isReal) ? { real: n } : n;
    }
    default: return ERROR;
  }
}

/** Whether a constraint holds for an ad: only a boolean true matches (ClassAd semantics). */
export function matches(tree, ad) {
  return evalTree(tree, ad, 0) === true;
}

/** A real as ClassAds print it (`%.16G`, with `.0` added when it would look like an integer). */
function formatReal(n) {
  if (n === 0) return "0.0";
  let text = n.toPrecision(16).replace(/\.?0+(e|$)/, "$1").replace("e", "E");
  text = text.replace(/E\+?(-?)(\d)$/, "E$10$2").replace(/E\+/, "E+");
  if (!/[.E]/.test(text)) text += ".0";
  return text;
}

/** `%v`: strings bare, UNDEFINED as `undefined` (condor_q -af). */
export function formatValue(v) {
  if (v === UNDEFINED) return "undefined";
  if (isError(v)) return "error";
  if (isReal(v)) return formatReal(v.real);
  if (typeof v === "string") return v;
  return String(v);
}

/** `%V`: as in the -long format, strings quoted. */
export function formatLongValue(v) {
  if (typeof v === "string") return `"${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
  if (isExpr(v)) return v.expr;
  return formatValue(v);
}

/** A JSON string body as classad::ClassAdJsonUnParser::UnparseAuxEscapeString writes it. */
function jsonEscape(text) {
  let out = "";
  for (const c of text) {
    const code = c.charCodeAt(0);
    if (c === '"') out += '\\"';
    else if (c === "\\") out += "\\\\";
    else if (c === "\b") out += "\\b";
    else if (c === "\f") out += "\\f";
    else if (c === "\n") out += "\\n";
    else if (c === "\r") out += "\\r";
    else if (c === "\t") out += "\\t";
    else if (code > 0 && code < 32) out += `\\u00${code.toString(16).toUpperCase().padStart(2, "0")}`;
    else out += c;
  }
  return out;
}

/** One value as ClassAdJsonUnParser writes it: expressions and ERROR as "\/Expr(...)\/". */
function jsonValue(v) {
  if (v === UNDEFINED) return "null";
  if (isExpr(v)) return `"\\/Expr(${jsonEscape(v.expr)})\\/"`;
  if (isError(v)) return '"\\/Expr(error)\\/"';
  if (isReal(v)) return formatReal(v.real);
  if (typeof v === "string") return `"${jsonEscape(v)}"`;
  return String(v);
}

/**
 * One ad in condor_q/condor_history -json form (ClassAdJsonUnParser, not one-line): `{`, then
 * `  "Name": value` lines joined by commas, then `}`; attributes sorted ignoring case, as
 * CondorClassAdListWriter::appendAd prints them (sGetAdAttrs into a case-insensitive set).
 */
export function jsonAd(ad, only) {
  let names = Object.keys(ad).filter((name) => ad[name] !== undefined);
  if (only) {
    const wanted = new Set(only.map((n) => n.toLowerCase()));
    names = names.filter((n) => wanted.has(n.toLowerCase()));
  }
  names.sort((a, b) => {
    const x = a.toLowerCase();
    const y = b.toLowerCase();
    return x < y ? -1 : x > y ? 1 : 0;
  });
  return `{${names.map((name) => `\n  "${jsonEscape(name)}": ${jsonValue(ad[name])}`).join(",")}\n}`;
}

/** A list of ads as `-json` prints it: `[\n<ad>\n,\n<ad>\n]\n`, nothing at all for no ads. */
export function jsonAdList(ads, only) {
  const parts = ads.map((ad) => jsonAd(ad, only)).filter((text) => text !== "{\n}");
  if (parts.length === 0) return "";
  return `[\n${parts.join("\n,\n")}\n]\n`;
}

/**
 * Parses the right-hand side of `+Attr = value` / `MY.Attr = value`: a literal becomes its value,
 * anything else stays an expression (and must parse).
 */
export function parseAttributeValue(text) {
  const tree = parseExpression(text);
  if (tree.kind === "literal") return tree.value;
  if (tree.kind === "unary" && tree.op === "-" && tree.operand.kind === "literal" && isNum(tree.operand.value)) {
    const v = tree.operand.value;
    return isReal(v) ? { real: -v.real } : -v;
  }
  return { expr: text.trim() };
}
