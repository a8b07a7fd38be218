import { MAX_URN_LENGTH, parseUrn, urnDisplay, type ParsedUrn, type UrnScheme } from "../../src/services/contacts/urn";

function ok(raw: string): ParsedUrn {
  const r = parseUrn(raw);
  if ("error" in r) throw new Error(`expected ${JSON.stringify(raw)} to parse, got: ${r.error}`);
  return r;
}

function fail(raw: string): string {
  const r = parseUrn(raw);
  if (!("error" in r)) throw new Error(`expected ${JSON.stringify(raw)} to be refused, got ${r.urn}`);
  return r.error;
}

describe("parseUrn: accepted URNs and their normal form", () => {
  const cases: Array<[raw: string, scheme: UrnScheme, path: string]> = [
    // tel
    ["tel:+250788123123", "tel", "+250788123123"],
    ["tel:+250 788 123 123", "tel", "+250788123123"],
    ["tel:+250 788-123-123", "tel", "+250788123123"],
    ["tel:+250.788.123.123", "tel", "+250788123123"],
    ["tel:+1 (201) 555-0123", "tel", "+12015550123"],
    ["tel:(+250) 788 123 123", "tel", "+250788123123"],
    ["tel: +250788123123", "tel", "+250788123123"],
    ["tel:00250788123123", "tel", "+250788123123"],
    ["tel:00 250 788 123 123", "tel", "+250788123123"],
    ["tel:+250\u00a0788\u00a0123\u00a0123", "tel", "+250788123123"],
    ["tel:+250\u202f788\u2007123 123", "tel", "+250788123123"],
    ["tel:+250\u2013788\u2010123\u2212123", "tel", "+250788123123"],
    ["tel:+12345678", "tel", "+12345678"],
    ["tel:+123456789012345", "tel", "+123456789012345"],
    ["TEL:+250788123123", "tel", "+250788123123"],
    ["Tel:+250788123123", "tel", "+250788123123"],
    ["  tel:+250788123123 \n", "tel", "+250788123123"],
    ["\ttel:+250788123123", "tel", "+250788123123"],
    // whatsapp
    ["whatsapp:250788123123", "whatsapp", "250788123123"],
    ["whatsapp:+250788123123", "whatsapp", "250788123123"],
    ["WhatsApp:250788123123", "whatsapp", "250788123123"],
    ["whatsapp:12345678", "whatsapp", "12345678"],
    ["whatsapp:123456789012345", "whatsapp", "123456789012345"],
    // telegram
    ["telegram:123456789", "telegram", "123456789"],
    ["telegram:-1001234567890", "telegram", "-1001234567890"],
    ["telegram:7", "telegram", "7"],
    ["telegram:9223372036854775807", "telegram", "9223372036854775807"],
    ["telegram:-9223372036854775808", "telegram", "-9223372036854775808"],
    ["telegram:handover_bot", "telegram", "handover_bot"],
    ["telegram:@handover_bot", "telegram", "handover_bot"],
    ["telegram:@Handover_Bot", "telegram", "handover_bot"],
    ["TELEGRAM:Alice", "telegram", "alice"],
    ["telegram:abcde", "telegram", "abcde"],
    ["telegram:a1234567890123456789012345678901", "telegram", "a1234567890123456789012345678901"],
    ["telegram:user_", "telegram", "user_"],
    // mailto
    ["mailto:ana@example.org", "mailto", "ana@example.org"],
    ["mailto:Ana.Smith@Example.ORG", "mailto", "ana.smith@example.org"],
    ["MAILTO:ana@example.org", "mailto", "ana@example.org"],
    ["mailto:ana+tickets@mail.example.co.rw", "mailto", "ana+tickets@mail.example.co.rw"],
    ["mailto:o'brien@example.ie", "mailto", "o'brien@example.ie"],
    ["mailto:a!#$%&'*+/=?^_`{|}~-z@example.org", "mailto", "a!#$%&'*+/=?^_`{|}~-z@example.org"],
    ["mailto:x@my-host.example", "mailto", "x@my-host.example"],
    ["mailto:x@xn--bcher-kva.example", "mailto", "x@xn--bcher-kva.example"],
    ["mailto:x@123.example", "mailto", "x@123.example"],
    ["mailto:x@example.xn--p1ai", "mailto", "x@example.xn--p1ai"],
    // ext
    ["ext:crm-000123", "ext", "crm-000123"],
    ["ext:CRM-000123", "ext", "CRM-000123"],
    ["EXT:AbC", "ext", "AbC"],
    ["ext:a", "ext", "a"],
    ["ext:a:b:c", "ext", "a:b:c"],
    ["ext:ü-ß-名前-😀", "ext", "ü-ß-名前-😀"],
    ["ext:https://example.org/contacts/7?x=1#y", "ext", "https://example.org/contacts/7?x=1#y"],
    ["ext:@@@", "ext", "@@@"],
    [`ext:${"x".repeat(MAX_URN_LENGTH - 4)}`, "ext", "x".repeat(MAX_URN_LENGTH - 4)],
    [`ext:${"😀".repeat(MAX_URN_LENGTH - 4)}`, "ext", "😀".repeat(MAX_URN_LENGTH - 4)],
  ];

  test.each(cases)("%j -> %s:%s", (raw, scheme, path) => {
    expect(parseUrn(raw)).toEqual({ scheme, path, urn: `${scheme}:${path}` });
  });

  test.each(cases)("normalising %j is idempotent", (raw) => {
    const once = ok(raw);
    expect(ok(once.urn)).toEqual(once);
  });
});

describe("parseUrn: spellings of one address normalise to the same URN", () => {
  const groups: string[][] = [
    [
      "tel:+250788123123",
      "tel:+250 788-123-123",
      "tel:+250 788 123 123",
      "TEL:+250.788.123.123",
      "tel:(+250) 788 123123",
      "tel:00250788123123",
      " tel:+250-788-123-123 ",
    ],
    ["whatsapp:250788123123", "whatsapp:+250788123123", "WHATSAPP:250788123123"],
    ["telegram:handover_bot", "telegram:@handover_bot", "telegram:HANDOVER_BOT", "Telegram:@Handover_Bot"],
    ["mailto:ana@example.org", "mailto:ANA@EXAMPLE.ORG", "Mailto:Ana@Example.Org"],
  ];

  test.each(groups.map((g) => [g[0], g] as const))("all spellings of %s", (_first, spellings) => {
    const urns = new Set(spellings.map((s) => ok(s).urn));
    expect(urns.size).toBe(1);
  });

  test("ext ids stay case-sensitive", () => {
    expect(ok("ext:Abc").urn).not.toBe(ok("ext:abc").urn);
  });

  test("different schemes stay different even with the same digits", () => {
    expect(ok("tel:+250788123123").urn).not.toBe(ok("whatsapp:250788123123").urn);
  });

  test("a telegram chat id and a username are different paths", () => {
    expect(ok("telegram:123456789").path).toBe("123456789");
    expect(ok("telegram:abc123456").path).toBe("abc123456");
  });
});

describe("parseUrn: refused URNs", () => {
  const cases: Array<[raw: string, messagePart: string | RegExp]> = [
    // whole URN
    ["", "empty"],
    ["   ", "empty"],
    ["+250788123123", "missing scheme"],
    [":+250788123123", "missing scheme"],
    ["sms:+250788123123", 'unknown scheme "sms"; use tel, whatsapp, telegram, mailto or ext'],
    ["SMS:+250788123123", 'unknown scheme "SMS"'],
    ["tel :+250788123123", 'unknown scheme "tel "'],
    ["facebook:123", "unknown scheme"],
    ["tel:", 'empty path after "tel:"'],
    ["whatsapp:", "empty path"],
    ["telegram:", "empty path"],
    ["mailto:", "empty path"],
    ["EXT:", 'empty path after "ext:"'],
    [`ext:${"x".repeat(MAX_URN_LENGTH - 3)}`, "too long (at most 255 characters)"],
    [`ext:${"😀".repeat(MAX_URN_LENGTH - 3)}`, "too long"],
    [`ext:${"x".repeat(5000)}`, "too long"],
    [`tel:+250788123123${" ".repeat(2000)}1`, "too long"],
    ["tel:+250\n788123123", "control character (U+000A)"],
    ["ext:a\tb", "control character (U+0009)"],
    ["ext:a\u0000b", "control character (U+0000)"],
    ["ext:a\u007fb", "control character (U+007F)"],
    ["ext:a\u0085b", "control character (U+0085)"],
    ["te\u0000l:+250788123123", "control character"],
    ["ext:a\u200bb", "invisible formatting character (U+200B)"],
    ["ext:abc\u202e", "invisible formatting character (U+202E)"],
    ["tel:\u200e+250788123123", "invisible formatting character (U+200E)"],
    ["mailto:\ufeffana@example.org", "invisible formatting character (U+FEFF)"],
    ["ext:a\u00adb", "invisible formatting character (U+00AD)"],
    ["ext:\ue000", "cannot be displayed (U+E000)"],
    ["ext:a\ud800b", "cannot be displayed (U+D800)"],
    ["ext:a\udc00", "cannot be displayed (U+DC00)"],
    // tel
    ["tel:0788123123", "is not E.164"],
    ["tel:250788123123", "is not E.164"],
    ["tel:788 123 123", "local numbers are not accepted"],
    ["tel:+0250788123123", "cannot start with +0"],
    ["tel:000250788123123", "cannot start with +0"],
    ["tel:+1234567", "8 to 15 digits after +, got 7"],
    ["tel:+1234567890123456", "got 16"],
    ["tel:0012345", "got 5"],
    ["tel:+", "8 to 15 digits after +, got 0"],
    ["tel:+250+788123123", '"+" may only start'],
    ["tel:++250788123123", '"+" may only start'],
    ["tel:250788123123+", '"+" may only start'],
    ["tel:+1-800-FLOWERS", 'found "F"'],
    ["tel:+250788123123;ext=12", 'found ";"'],
    ["tel:+250/788123123", 'found "/"'],
    ["tel:%2B250788123123", 'found "%"'],
    ["tel:+２５０788123123", 'found "２"'],
    ["tel:+250\u2003788123123", "found whitespace U+2003"],
    ["tel:+250\u3000788123123", "found whitespace U+3000"],
    ["tel:---", "has no digits"],
    ["tel:( )", "has no digits"],
    // whatsapp
    ["whatsapp:+", "digits only"],
    ["whatsapp:250 788 123 123", "digits only"],
    ["whatsapp:250-788-123-123", "digits only"],
    ["whatsapp:++250788123123", "digits only"],
    ["whatsapp:250788123123+", "digits only"],
    ["whatsapp:abc12345678", "digits only"],
    ["whatsapp:２５０788123123", "digits only"],
    ["whatsapp:0788123123", "cannot start with 0"],
    ["whatsapp:00250788123123", "cannot start with 0"],
    ["whatsapp:+0250788123123", "cannot start with 0"],
    ["whatsapp:1234567", "8 to 15 digits, got 7"],
    ["whatsapp:1234567890123456", "got 16"],
    // telegram
    ["telegram:007", "cannot start with 0"],
    ["telegram:0", "cannot start with 0"],
    ["telegram:-0", "cannot start with 0"],
    ["telegram:-", "digits after -"],
    ["telegram:-abc", "digits after -"],
    ["telegram:--100123", "digits after -"],
    ["telegram:9223372036854775808", "out of range"],
    ["telegram:-9223372036854775809", "out of range"],
    ["telegram:12345678901234567890", "out of range"],
    ["telegram:abcd", "5 to 32 characters, got 4"],
    ["telegram:@abcd", "got 4"],
    ["telegram:@", "got 0"],
    [`telegram:a${"b".repeat(32)}`, "got 33"],
    ["telegram:@12345", "must start with a letter"],
    ["telegram:_abcde", "must start with a letter"],
    ["telegram:1abcde", "must start with a letter"],
    ["telegram:@@abcde", "only letters, digits and _"],
    ["telegram:hand over", "only letters, digits and _"],
    ["telegram:hand-over", "only letters, digits and _"],
    ["telegram:hand.over", "only letters, digits and _"],
    ["telegram:t.me/handover", "only letters, digits and _"],
    ["telegram:ünicode", "only letters, digits and _"],
    // mailto
    ["mailto:ana", "has no @"],
    ["mailto:ana@", "nothing after the @"],
    ["mailto:@example.org", "nothing before the @"],
    ["mailto:a@b@example.org", "more than one @"],
    ["mailto:ana@example.org,bo@example.org", "more than one @"],
    ["mailto:ana@localhost", "needs a dot"],
    ["mailto:ana@example.", "empty label"],
    ["mailto:ana@.example.org", "empty label"],
    ["mailto:ana@example..org", "empty label"],
    ["mailto:ana@-example.org", "cannot start or end with -"],
    ["mailto:ana@example-.org", "cannot start or end with -"],
    ["mailto:ana@exa_mple.org", "only letters, digits, - and dots"],
    ["mailto:ana@example.org?subject=hi", "only letters, digits, - and dots"],
    ["mailto:ana@[192.168.0.1]", "only letters, digits, - and dots"],
    ["mailto:ana@192.168.0.1", "top-level domain must start with a letter"],
    ["mailto:ana@example.1org", "top-level domain must start with a letter"],
    ["mailto:.ana@example.org", "a dot cannot start or end"],
    ["mailto:ana.@example.org", "a dot cannot start or end"],
    ["mailto:an..a@example.org", "a dot cannot start or end"],
    ['mailto:"ana"@example.org', "not allowed there"],
    ["mailto:an(a)@example.org", "not allowed there"],
    ["mailto:ana smith@example.org", "whitespace"],
    ["mailto:Ana <ana@example.org>", "whitespace"],
    ["mailto:ana@exämple.org", "only ASCII"],
    ["mailto:josé@example.org", "only ASCII"],
    [`mailto:${"a".repeat(65)}@example.org`, "longer than 64"],
    [`mailto:a@${"b".repeat(64)}.org`, "longer than 63"],
    [`mailto:a@${"b.".repeat(127)}org`, "longer than 253"],
    [`mailto:${"a".repeat(64)}@${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(60)}.org`, "too long"],
    // ext
    ["ext:a b", "must not contain whitespace (found U+0020)"],
    ["ext:a\u00a0b", "found U+00A0"],
    ["ext:a\u2028b", "found U+2028"],
    ["ext:a\u3000b", "found U+3000"],
  ];

  test.each(cases)("%j is refused (%s)", (raw, messagePart) => {
    const error = fail(raw);
    if (typeof messagePart === "string") expect(error).toContain(messagePart);
    else expect(error).toMatch(messagePart);
  });

  test("the unknown-scheme message is exactly the documented one", () => {
    expect(parseUrn("sms:+250788123123")).toEqual({
      error: 'unknown scheme "sms"; use tel, whatsapp, telegram, mailto or ext',
    });
  });

  test("messages quote hostile input briefly and escaped", () => {
    const error = fail(`${"s\u2028".repeat(300)}:x`);
    expect(error.length).toBeLessThan(200);
    const scheme = fail(`${"q".repeat(500)}:x`);
    expect(scheme).toContain("…");
    expect(scheme.length).toBeLessThan(200);
    expect(fail('s"ms:x')).toContain('"s\\"ms"');
  });

  test("a non-string input is refused rather than thrown on", () => {
    expect(parseUrn(undefined as unknown as string)).toEqual({ error: "URN must be a string" });
    expect(parseUrn(42 as unknown as string)).toEqual({ error: "URN must be a string" });
  });

  test("long hostile input is refused (the suite's timeout catches a catastrophic pattern)", () => {
    const inputs = ["tel:" + "1 ".repeat(500_000), "ext:" + "@".repeat(1_000_000), "x".repeat(1_000_000), "mailto:" + "a.".repeat(400_000)];
    for (const raw of inputs) expect(fail(raw)).toContain("too long");
  });

  test("every refusal is a short message", () => {
    for (const [raw] of cases) expect(fail(raw).length).toBeLessThan(200);
  });
});

describe("urnDisplay", () => {
  test.each([
    ["tel:+250788123123", "+250788123123"],
    ["tel:+250 788-123-123", "+250788123123"],
    ["whatsapp:+250788123123", "250788123123"],
    ["telegram:@Handover_Bot", "handover_bot"],
    ["telegram:-1001234567890", "-1001234567890"],
    ["mailto:Ana@Example.org", "ana@example.org"],
    ["ext:CRM-1", "CRM-1"],
    ["ext:a:b", "a:b"],
    // Unparseable input is shown as well as possible, never thrown on.
    ["sms:12345", "12345"],
    ["tel:0788 123 123 ", "0788 123 123"],
    ["no scheme", "no scheme"],
    ["", ""],
  ])("%j -> %j", (urn, shown) => {
    expect(urnDisplay(urn)).toBe(shown);
  });

  test("a non-string is shown as nothing", () => {
    expect(urnDisplay(null as unknown as string)).toBe("");
  });
});
