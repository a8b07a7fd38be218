import { MAX_NOTE_LENGTH, MAX_NOTE_WARNINGS, renderNote, type NoteContext } from "../../src/services/tickets/note-template";

type FieldAnswer = ReturnType<NoteContext["field"]>;

const FIELDS: Record<string, FieldAnswer> = {
  district: { visible: true, value: "Gasabo" },
  age: { visible: true, value: "34" },
  unset: { visible: true, value: null },
  blank: { visible: true, value: "   " },
  secret: { visible: false },
  tricky: { visible: true, value: "@fields.secret @results.name @@" },
};

const RESULTS = {
  name: { value: "Ana", category: "Has Text" },
  age: { value: 34, category: "Adult" },
  agreed: { value: true, category: "Yes" },
  ratio: { value: 1.5, category: 0 },
  plain: "yes",
  plain_number: 7,
  plain_bool: false,
  plain_null: null,
  null_value: { value: null, category: "Other" },
  null_category: { value: "x", category: null },
  no_category: { value: "only value" },
  no_value: { category: "Only category" },
  object_value: { value: { nested: 1 }, category: "Obj" },
  array_value: { value: [1, 2], category: ["a"] },
  array_entry: ["a", "b"],
  empty: { value: "", category: "" },
  Mixed_Case_1: { value: "mixed", category: "M" },
  injection: { value: "@contact.name @fields.secret", category: "@@" },
  spaced: { value: "  padded  ", category: " c " },
};

function context(overrides: Partial<NoteContext> = {}): NoteContext {
  return {
    results: RESULTS,
    contactName: "Bob Mugisha",
    field: (key) => FIELDS[key],
    ...overrides,
  };
}

function render(template: string, overrides: Partial<NoteContext> = {}) {
  return renderNote(template, context(overrides));
}

describe("references", () => {
  const cases: Array<[template: string, note: string | null, warnings: string[]]> = [
    // @results.k
    ["@results.name", "Ana", []],
    ["Name: @results.name!", "Name: Ana!", []],
    ["@results.age", "34", []],
    ["@results.agreed", "true", []],
    ["@results.ratio", "1.5", []],
    ["@results.plain", "yes", []],
    ["@results.plain_number", "7", []],
    ["@results.plain_bool", "false", []],
    ["[@results.plain_null]", "[]", []],
    ["[@results.null_value]", "[]", []],
    ["[@results.empty]", "[]", []],
    ["@results.no_category", "only value", []],
    ["@results.Mixed_Case_1", "mixed", []],
    ["[@results.spaced]", "[  padded  ]", []],
    ["@results.name@results.age", "Ana34", []],
    ["x@results.name", "xAna", []],
    // @results.k.category
    ["@results.name.category", "Has Text", []],
    ["@results.age.category", "Adult", []],
    ["@results.ratio.category", "0", []],
    ["@results.null_value.category", "Other", []],
    ["[@results.null_category.category]", "[]", []],
    ["[@results.empty.category]", "[]", []],
    ["@results.no_value.category", "Only category", []],
    ["[@results.spaced.category]", "[ c ]", []],
    ["@results.name.category.", "Has Text.", []],
    ["@results.name.category.value", "Has Text.value", []],
    // where a reference ends
    ["Hello @results.name.", "Hello Ana.", []],
    ["@results.name.other", "Ana.other", []],
    ["@results.name.categoryx", "Ana.categoryx", []],
    ["@results.name.category_2", "Ana.category_2", []],
    ["@results.name.Category", "Ana.Category", []],
    ["@results.name-x", "Ana-x", []],
    ["@results.name's", "Ana's", []],
    ["(@results.name)", "(Ana)", []],
    ["@results.name..category", "Ana..category", []],
    // @contact.name
    ["Hi @contact.name", "Hi Bob Mugisha", []],
    ["@contact.name.", "Bob Mugisha.", []],
    ["@contact.name.first", "Bob Mugisha.first", []],
    ["@contact.name's ticket", "Bob Mugisha's ticket", []],
    // @fields.k
    ["From @fields.district", "From Gasabo", []],
    ["@fields.age years", "34 years", []],
    ["[@fields.unset]", "[]", []],
    ["[@fields.blank]", "[   ]", []],
    ["@fields.district.category", "Gasabo.category", []],
    ["@fields.district.", "Gasabo.", []],
  ];

  test.each(cases)("%j -> %j", (template, note, warnings) => {
    expect(render(template)).toEqual({ note, warnings });
  });
});

describe("literal @", () => {
  const cases: Array<[template: string, note: string]> = [
    ["@@", "@"],
    ["@@@", "@@"],
    ["@@@@", "@@"],
    ["@@@@@", "@@@"],
    ["a@@b", "a@b"],
    ["mail ana@@example.org", "mail ana@example.org"],
    ["@@results.name", "@results.name"],
    ["@@@results.name", "@Ana"],
    ["@@contact.name", "@contact.name"],
    ["@@fields.district", "@fields.district"],
    ["ana@example.org", "ana@example.org"],
    ["@", "@"],
    ["a @ b", "a @ b"],
    ["trailing @", "trailing @"],
    ["@results", "@results"],
    ["@results.", "@results."],
    ["@results.!", "@results.!"],
    ["@results.-x", "@results.-x"],
    ["@results..name", "@results..name"],
    ["@Results.name", "@Results.name"],
    ["@RESULTS.name", "@RESULTS.name"],
    ["@result.name", "@result.name"],
    ["@resultsname", "@resultsname"],
    ["@contact", "@contact"],
    ["@contact.", "@contact."],
    ["@contact.other", "@contact.other"],
    ["@contact.email", "@contact.email"],
    ["@contact.names", "@contact.names"],
    ["@contact.name_x", "@contact.name_x"],
    ["@contact.Name", "@contact.Name"],
    ["@Contact.name", "@Contact.name"],
    ["@contacts.name", "@contacts.name"],
    ["@fields", "@fields"],
    ["@fields.", "@fields."],
    ["@fields. x", "@fields. x"],
    ["@field.district", "@field.district"],
    ["@Fields.district", "@Fields.district"],
    ["@@@@results.name", "@@results.name"],
    ["@ results.name", "@ results.name"],
    ["@\nresults.name", "@\nresults.name"],
    ["x@@@@@@y", "x@@@y"],
  ];

  test.each(cases)("%j -> %j", (template, note) => {
    expect(render(template)).toEqual({ note, warnings: [] });
  });
});

describe("unknown and hidden references", () => {
  const cases: Array<[template: string, note: string | null, warnings: string[]]> = [
    ["Age: @results.missing.", "Age: .", ["unknown reference @results.missing"]],
    ["@results.missing.category", null, ["unknown reference @results.missing.category"]],
    ["@results.NAME", null, ["unknown reference @results.NAME"]],
    ["[@results.plain.category]", "[]", ["unknown reference @results.plain.category"]],
    ["[@results.plain_null.category]", "[]", ["unknown reference @results.plain_null.category"]],
    ["[@results.no_category.category]", "[]", ["unknown reference @results.no_category.category"]],
    ["[@results.no_value]", "[]", ["unknown reference @results.no_value"]],
    ["[@results.object_value]", "[]", ["unknown reference @results.object_value"]],
    ["[@results.object_value.category]", "[Obj]", []],
    ["[@results.array_value]", "[]", ["unknown reference @results.array_value"]],
    ["[@results.array_value.category]", "[]", ["unknown reference @results.array_value.category"]],
    ["[@results.array_entry]", "[]", ["unknown reference @results.array_entry"]],
    ["[@results.array_entry.category]", "[]", ["unknown reference @results.array_entry.category"]],
    ["@results.constructor", null, ["unknown reference @results.constructor"]],
    ["@results.toString", null, ["unknown reference @results.toString"]],
    ["@results.hasOwnProperty", null, ["unknown reference @results.hasOwnProperty"]],
    ["@results.name.category @results.plain.category", "Has Text", ["unknown reference @results.plain.category"]],
    ["From @fields.nowhere", "From", ["unknown reference @fields.nowhere"]],
    ["Secret: [@fields.secret]", "Secret: []", ["field @fields.secret is not visible to agents"]],
    ["@fields.constructor", null, ["unknown reference @fields.constructor"]],
    [
      "@results.a @fields.b @results.a.category @fields.secret",
      null,
      [
        "unknown reference @results.a",
        "unknown reference @fields.b",
        "unknown reference @results.a.category",
        "field @fields.secret is not visible to agents",
      ],
    ],
    // The same reference warns once.
    ["@results.x @results.x @results.x", null, ["unknown reference @results.x"]],
    ["@fields.secret@fields.secret", null, ["field @fields.secret is not visible to agents"]],
  ];

  test.each(cases)("%j -> %j with warnings", (template, note, warnings) => {
    expect(render(template)).toEqual({ note, warnings });
  });

  test("a contact without a name renders empty without a warning", () => {
    expect(render("Hi @contact.name!", { contactName: null })).toEqual({ note: "Hi !", warnings: [] });
    expect(render("@contact.name", { contactName: null })).toEqual({ note: null, warnings: [] });
    expect(render("[@contact.name]", { contactName: "" })).toEqual({ note: "[]", warnings: [] });
  });

  test.each([[null], [undefined], ["a string"], [42], [true], [["name"]], [[{ value: "x" }]]])("results %j mean no results", (results) => {
    expect(render("Hi @results.name @contact.name", { results })).toEqual({
      note: "Hi  Bob Mugisha",
      warnings: ["unknown reference @results.name"],
    });
  });

  test("results with a null prototype work", () => {
    const results = Object.assign(Object.create(null) as object, { name: { value: "Ana" } });
    expect(render("@results.name", { results })).toEqual({ note: "Ana", warnings: [] });
  });

  test("a __proto__ key parsed from JSON is an ordinary key", () => {
    const results: unknown = JSON.parse('{"__proto__": {"value": "proto", "category": "P"}}');
    expect(render("@results.__proto__ @results.__proto__.category", { results })).toEqual({
      note: "proto P",
      warnings: [],
    });
    expect(render("@results.__proto__")).toEqual({ note: null, warnings: ["unknown reference @results.__proto__"] });
  });

  test("getters in results are not run", () => {
    let ran = false;
    const results = {
      get name() {
        ran = true;
        return { value: "Ana" };
      },
    };
    expect(render("@results.name", { results })).toEqual({ note: null, warnings: ["unknown reference @results.name"] });
    expect(ran).toBe(false);
  });

  test("each field is looked up once", () => {
    const asked: string[] = [];
    const field = (key: string): FieldAnswer => {
      asked.push(key);
      return FIELDS[key];
    };
    render("@fields.district @fields.district @fields.secret @fields.secret @fields.none @fields.none", { field });
    expect(asked).toEqual(["district", "secret", "none"]);
  });

  test("a field lookup that throws is an unknown reference, and the note still renders", () => {
    const field = (key: string): FieldAnswer => {
      if (key === "boom") throw new Error("lookup failed");
      return FIELDS[key];
    };
    expect(render("@fields.district @fields.boom!", { field })).toEqual({
      note: "Gasabo !",
      warnings: ["unknown reference @fields.boom"],
    });
  });

  test("a results getter that throws is an unknown reference", () => {
    const ctx: NoteContext = {
      get results(): unknown {
        throw new Error("no");
      },
      contactName: "Bob",
      field: () => undefined,
    };
    expect(renderNote("@contact.name @results.x.category", ctx)).toEqual({
      note: "Bob",
      warnings: ["unknown reference @results.x.category"],
    });
  });

  test("fields answering with unexpected shapes are handled", () => {
    const answers: Record<string, unknown> = {
      num: { visible: true, value: 5 },
      novalue: { visible: true },
      obj: { visible: true, value: { x: 1 } },
      weird: { visible: "yes", value: "leak" },
      str: "not an object",
    };
    const field = (key: string) => answers[key] as FieldAnswer;
    expect(render("[@fields.num|@fields.novalue|@fields.obj|@fields.weird|@fields.str]", { field })).toEqual({
      note: "[5||||]",
      warnings: ["unknown reference @fields.obj", "field @fields.weird is not visible to agents", "unknown reference @fields.str"],
    });
  });

  test(`at most ${MAX_NOTE_WARNINGS} warnings are listed, the rest are counted`, () => {
    const template = Array.from({ length: MAX_NOTE_WARNINGS + 5 }, (_, n) => `@results.k${n}`).join(" ");
    const { note, warnings } = render(template);
    expect(note).toBeNull();
    expect(warnings).toHaveLength(MAX_NOTE_WARNINGS + 1);
    expect(warnings[0]).toBe("unknown reference @results.k0");
    expect(warnings[MAX_NOTE_WARNINGS - 1]).toBe(`unknown reference @results.k${MAX_NOTE_WARNINGS - 1}`);
    expect(warnings[MAX_NOTE_WARNINGS]).toBe("5 more warnings not shown");
    const one = render(Array.from({ length: MAX_NOTE_WARNINGS + 1 }, (_, n) => `@fields.f${n}`).join(""));
    expect(one.warnings[MAX_NOTE_WARNINGS]).toBe("1 more warning not shown");
  });

  test("a very long key is shortened in its warning", () => {
    const key = "k".repeat(5000);
    const { warnings } = render(`@results.${key}.category @fields.${key}`);
    expect(warnings).toEqual([`unknown reference @results.${"k".repeat(100)}….category`, `unknown reference @fields.${"k".repeat(100)}…`]);
  });

  test("a long key whose lookup throws is shortened too", () => {
    const key = "z".repeat(300);
    const field = (): FieldAnswer => {
      throw new Error("x");
    };
    expect(render(`@fields.${key}`, { field }).warnings).toEqual([`unknown reference @fields.${"z".repeat(100)}…`]);
  });
});

describe("values are inserted, never re-read as references", () => {
  test.each([
    ["@results.injection", "@contact.name @fields.secret"],
    ["@results.injection.category", "@@"],
    ["@fields.tricky", "@fields.secret @results.name @@"],
  ])("%j -> %j", (template, note) => {
    expect(render(template)).toEqual({ note, warnings: [] });
  });

  test("a contact name that looks like a reference", () => {
    expect(render("@contact.name", { contactName: "@fields.secret @@" })).toEqual({
      note: "@fields.secret @@",
      warnings: [],
    });
  });
});

describe("blank notes and trimming", () => {
  test.each([
    [""],
    ["   "],
    ["\n\t \r\n"],
    ["\u00a0\u2003\ufeff\u2028"],
    ["@fields.unset"],
    ["  @fields.unset  @results.plain_null  "],
    ["@fields.blank"],
    ["@contact.name"],
    ["\u0000"],
  ])("%j renders to no note", (template) => {
    expect(render(template, { contactName: null })).toEqual({ note: null, warnings: [] });
  });

  test("a blank note from unknown references keeps its warnings", () => {
    expect(render("  @results.nope  ")).toEqual({ note: null, warnings: ["unknown reference @results.nope"] });
  });

  test.each([
    ["  hello  ", "hello"],
    ["\n\nline one\nline two\n\n", "line one\nline two"],
    ["@fields.blank x @fields.blank", "x"],
    ["@results.spaced", "padded"],
    ["\u00a0 hi \u3000", "hi"],
    ["  a  \n  b  ", "a  \n  b"],
  ])("%j is trimmed to %j", (template, note) => {
    expect(render(template).note).toBe(note);
  });

  test("NUL characters are dropped from template and values", () => {
    expect(render("a\u0000b @results.nul", { results: { nul: "c\u0000d" } })).toEqual({ note: "ab cd", warnings: [] });
    expect(render("@\u0000@results.name").note).toBe("@Ana");
  });

  test("a non-string template renders to no note", () => {
    expect(renderNote(undefined as unknown as string, context())).toEqual({ note: null, warnings: [] });
    expect(renderNote(42 as unknown as string, context())).toEqual({ note: null, warnings: [] });
  });

  test("a missing context renders the template with every reference unknown", () => {
    expect(renderNote("x @results.a @fields.b @contact.name", null as unknown as NoteContext)).toEqual({
      note: "x",
      warnings: ["unknown reference @results.a", "unknown reference @fields.b"],
    });
  });

  test("a context without a field function makes fields unknown", () => {
    const ctx = { results: {}, contactName: "Bob" } as unknown as NoteContext;
    expect(renderNote("@contact.name @fields.a", ctx)).toEqual({ note: "Bob", warnings: ["unknown reference @fields.a"] });
  });
});

describe("length limit", () => {
  const CUT = `note is longer than ${MAX_NOTE_LENGTH} characters and was cut`;

  test("a note of exactly the limit is kept whole", () => {
    const text = "a".repeat(MAX_NOTE_LENGTH);
    expect(render(text)).toEqual({ note: text, warnings: [] });
  });

  test("one character over is cut, with a warning", () => {
    const { note, warnings } = render("a".repeat(MAX_NOTE_LENGTH) + "b");
    expect(note).toBe("a".repeat(MAX_NOTE_LENGTH));
    expect(warnings).toEqual([CUT]);
  });

  test("whitespace around a note of the limit does not count", () => {
    const text = "a".repeat(MAX_NOTE_LENGTH);
    expect(render(`   \n${text}\n   `)).toEqual({ note: text, warnings: [] });
    expect(render(`${text}${" ".repeat(50_000)}`)).toEqual({ note: text, warnings: [] });
  });

  test("whitespace left at the cut is trimmed", () => {
    const { note, warnings } = render("a".repeat(MAX_NOTE_LENGTH - 3) + "   bbb");
    expect(note).toBe("a".repeat(MAX_NOTE_LENGTH - 3));
    expect(warnings).toEqual([CUT]);
  });

  test("a cut never splits a surrogate pair", () => {
    const { note, warnings } = render("a".repeat(MAX_NOTE_LENGTH - 1) + "😀");
    expect(note).toBe("a".repeat(MAX_NOTE_LENGTH - 1));
    expect(warnings).toEqual([CUT]);
    const exact = render("a".repeat(MAX_NOTE_LENGTH - 2) + "😀");
    expect(exact).toEqual({ note: "a".repeat(MAX_NOTE_LENGTH - 2) + "😀", warnings: [] });
  });

  test("length counts what references render to", () => {
    const results = { big: { value: "x".repeat(6000), category: "y".repeat(6000) } };
    const { note, warnings } = render("@results.big@results.big.category", { results });
    expect(note).toBe("x".repeat(6000) + "y".repeat(MAX_NOTE_LENGTH - 6000));
    expect(warnings).toEqual([CUT]);
  });

  test("the cut warning comes after reference warnings, even those past the cut", () => {
    const { note, warnings } = render("a".repeat(MAX_NOTE_LENGTH + 10) + " @results.late @fields.secret");
    expect(note).toHaveLength(MAX_NOTE_LENGTH);
    expect(warnings).toEqual(["unknown reference @results.late", "field @fields.secret is not visible to agents", CUT]);
  });

  test("a long value repeated many times stays cheap", () => {
    const results = { big: "v".repeat(100_000), blank: " ".repeat(100_000) };
    const template = "@results.blank".repeat(20_000) + "@results.big ".repeat(20_000);
    const { note, warnings } = render(template, { results });
    expect(note).toBe("v".repeat(MAX_NOTE_LENGTH));
    expect(warnings).toEqual([CUT]);
  });
});

describe("hostile input", () => {
  const MB = 1_000_000;
  const cases: Array<[name: string, template: () => string]> = [
    ["1 MB of @@@@", () => "@@@@".repeat(MB / 4)],
    ["1 MB of @", () => "@".repeat(MB)],
    ["1 MB of @@@ (odd)", () => "@".repeat(MB + 1)],
    ["@results. repeated", () => "@results.".repeat(MB / 9)],
    ["@results.x. repeated", () => "@results.x.".repeat(MB / 11)],
    ["@results.name.category repeated", () => "@results.name.category".repeat(MB / 22)],
    ["one 1 MB key", () => "@results." + "k".repeat(MB)],
    ["one 1 MB key with .category", () => "@results." + "k".repeat(MB) + ".category"],
    ["distinct unknown keys", () => Array.from({ length: 100_000 }, (_, n) => `@fields.f${n}`).join("")],
    ["@contact.nam repeated", () => "@contact.nam".repeat(MB / 12)],
    ["1 MB of whitespace", () => " \n\t".repeat(MB / 3)],
    ["1 MB of NUL", () => "\u0000".repeat(MB)],
    ["lone surrogates", () => "\ud800@\udc00".repeat(MB / 3)],
  ];

  test.each(cases)("%s renders quickly within the limit", (_name, make) => {
    const template = make();
    const result = render(template);
    expect(result.note === null || result.note.length <= MAX_NOTE_LENGTH).toBe(true);
    expect(result.warnings.length).toBeLessThanOrEqual(MAX_NOTE_WARNINGS + 2);
    for (const w of result.warnings) expect(w.length).toBeLessThan(200);
  });

  test("1 MB of @@@@ renders as @ characters, cut", () => {
    expect(render("@@@@".repeat(250_000))).toEqual({
      note: "@".repeat(MAX_NOTE_LENGTH),
      warnings: [`note is longer than ${MAX_NOTE_LENGTH} characters and was cut`],
    });
  });

  test("renderNote never throws, even on a context that throws everywhere", () => {
    const hostile = new Proxy({} as NoteContext, {
      get() {
        throw new Error("trap");
      },
      getOwnPropertyDescriptor() {
        throw new Error("trap");
      },
    });
    expect(renderNote("@results.a @results.a.category @fields.b @contact.name x", hostile)).toEqual({
      note: "x",
      warnings: [
        "unknown reference @results.a",
        "unknown reference @results.a.category",
        "unknown reference @fields.b",
        "unknown reference @contact.name",
      ],
    });
    const results = new Proxy(
      {},
      {
        getOwnPropertyDescriptor() {
          throw new Error("trap");
        },
      },
    );
    expect(render("a @results.b c", { results })).toEqual({ note: "a  c", warnings: ["unknown reference @results.b"] });
  });
});
