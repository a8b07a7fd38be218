import { createDataSource } from "../../ormconfig";
import { guardPool, SecondConnectionError, UnitOfWork } from "../../src/db/unit-of-work";
import { migrate } from "../../src/db/migrate";
import { answerEarly, fail, ok as succeed, refusable, refuse, type Result, UserErrorCode } from "../../src/services/user-error";
import { ok, team } from "../support/fixtures";
import { createTestDatabase } from "../support/database";
import { startTestServer, type TestServer } from "../support/harness";

/**
 * One unit of work per request: a mutation runs in one transaction on one connection, every read
 * during it (loaders included) goes through that connection, and reaching for a second pooled
 * connection inside it fails at once instead of waiting for one that may never come.
 */

describe("the unit of work", () => {
  let db: ReturnType<typeof createDataSource>;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const database = await createTestDatabase("uow");
    drop = database.drop;
    // One connection: a second one asked for inside the transaction could never be given.
    db = createDataSource({ url: database.url, poolSize: 1 });
    await db.initialize();
    await migrate(db);
    guardPool(db);
  });
  afterAll(async () => {
    await db.destroy();
    await drop();
  });

  it("refuses a statement on the pool inside its transaction at once, instead of waiting for a connection", async () => {
    const unit = new UnitOfWork(db);
    const started = Date.now();
    await expect(unit.run(() => db.query("SELECT 1"))).rejects.toBeInstanceOf(SecondConnectionError);
    // The pool's only connection was the transaction's: without the refusal, this would wait for
    // the 10 s connection timeout.
    expect(Date.now() - started).toBeLessThan(5000);
    // And the pool is whole again afterwards.
    await expect(db.query("SELECT 1 AS one")).resolves.toEqual([{ one: 1 }]);
  });

  it("sends every statement of the unit, loaders' included, on the transaction's connection", async () => {
    const unit = new UnitOfWork(db);
    const pids = await unit.run(async () => {
      const a = await unit.query<Array<{ pid: number }>>("SELECT pg_backend_pid() AS pid");
      const b = await unit.em.query("SELECT pg_backend_pid() AS pid");
      const c = await unit.savepoint((em) => em.query("SELECT pg_backend_pid() AS pid"));
      const inTx = await unit.query<Array<{ tx: boolean }>>("SELECT now() = statement_timestamp() AS tx");
      return [a[0].pid, b[0].pid, c[0].pid, inTx[0].tx];
    });
    expect(new Set(pids.slice(0, 3)).size).toBe(1);
    // now() is the transaction's start: a statement later in one transaction sees an earlier now().
    expect(pids[3]).toBe(false);
  });

  it("holds no connection until its first statement, and reads before it through beforeTransaction", async () => {
    const unit = new UnitOfWork(db);
    let proceed!: () => void;
    const gate = new Promise<void>((resolve) => (proceed = resolve));
    const work = unit.run(async () => {
      expect(await unit.beforeTransaction((em) => em.query("SELECT 3 AS three"))).toEqual([{ three: 3 }]);
      await gate;
      await unit.query("SELECT 1");
      // Once the transaction has begun, a read outside it would need a second connection.
      expect(() => unit.beforeTransaction((em) => em.query("SELECT 4"))).toThrow(/after the transaction's first statement/);
    });
    // The pool's only connection is free while the unit has sent nothing yet.
    expect(await db.query("SELECT 2 AS two")).toEqual([{ two: 2 }]);
    proceed();
    await work;
  });

  it("runs end-of-transaction work after a commit and after a rollback alike", async () => {
    const unit = new UnitOfWork(db);
    const ended: string[] = [];
    await unit.run(async () => {
      unit.afterTransaction(() => ended.push("committed"));
      await unit.query("SELECT 1");
    });
    await expect(
      unit.run(async () => {
        unit.afterTransaction(() => ended.push("rolled back"));
        await unit.query("SELECT 1");
        throw new Error("refused");
      }),
    ).rejects.toThrow("refused");
    expect(ended).toEqual(["committed", "rolled back"]);
  });

  it("runs after-commit work only after a commit, and none after a rollback", async () => {
    const unit = new UnitOfWork(db);
    const ran: string[] = [];
    await unit.run(async () => {
      unit.afterCommit(() => ran.push("committed"));
      expect(ran).toEqual([]);
    });
    expect(ran).toEqual(["committed"]);
    await expect(
      unit.run(async () => {
        unit.afterCommit(() => ran.push("rolled back"));
        throw new Error("refused");
      }),
    ).rejects.toThrow("refused");
    expect(ran).toEqual(["committed"]);
  });

  it("undoes a failed savepoint and its after-commit work, and keeps the rest of the transaction", async () => {
    await db.query(`CREATE TABLE IF NOT EXISTS uow_probe (k text PRIMARY KEY)`);
    const unit = new UnitOfWork(db);
    const ran: string[] = [];
    await unit.run(async () => {
      await unit.query(`INSERT INTO uow_probe VALUES ('kept')`);
      await expect(
        unit.savepoint(async (em) => {
          await em.query(`INSERT INTO uow_probe VALUES ('undone')`);
          unit.afterCommit(() => ran.push("undone"));
          await em.query(`INSERT INTO uow_probe VALUES ('kept')`);
        }),
      ).rejects.toThrow(/duplicate key/);
      unit.afterCommit(() => ran.push("kept"));
      // The transaction is still usable after the failed savepoint.
      await unit.query(`INSERT INTO uow_probe VALUES ('after')`);
    });
    expect((await db.query(`SELECT k FROM uow_probe ORDER BY k`)).map((r: { k: string }) => r.k)).toEqual(["after", "kept"]);
    expect(ran).toEqual(["kept"]);
  });

  it("undoes a refused call's writes, whether the refusal is returned or thrown, and keeps the answer and the rest", async () => {
    await db.query(`CREATE TABLE IF NOT EXISTS uow_refusals (k text PRIMARY KEY)`);
    const unit = new UnitOfWork(db);
    const ran: string[] = [];
    const answers = await unit.run(async () => {
      await unit.query(`INSERT INTO uow_refusals VALUES ('before')`);
      const returned = await refusable(unit, async (em) => {
        await em.query(`INSERT INTO uow_refusals VALUES ('returned')`);
        unit.afterCommit(() => ran.push("returned"));
        return fail<string>(UserErrorCode.LIMIT_REACHED, "Too many.");
      });
      const thrown = await refusable(unit, async (em): Promise<Result<string>> => {
        await em.query(`INSERT INTO uow_refusals VALUES ('thrown')`);
        return refuse(UserErrorCode.NOT_FOUND, "No such thing.", ["id"]);
      });
      const early = await refusable(unit, async (em): Promise<Result<string>> => {
        await em.query(`INSERT INTO uow_refusals VALUES ('early')`);
        return answerEarly(succeed("an earlier call's answer"));
      });
      const done = await refusable(unit, async (em) => {
        await em.query(`INSERT INTO uow_refusals VALUES ('done')`);
        unit.afterCommit(() => ran.push("done"));
        return succeed("done");
      });
      return [returned, thrown, early, done];
    });
    expect(answers).toEqual([
      { ok: false, errors: [{ code: "LIMIT_REACHED", message: "Too many.", field: undefined }] },
      { ok: false, errors: [{ code: "NOT_FOUND", message: "No such thing.", field: ["id"] }] },
      { ok: true, value: "an earlier call's answer" },
      { ok: true, value: "done" },
    ]);
    expect((await db.query(`SELECT k FROM uow_refusals ORDER BY k`)).map((r: { k: string }) => r.k)).toEqual(["before", "done"]);
    expect(ran).toEqual(["done"]);
  });

  it("will not compile a transaction or savepoint that answers a Result: refusals go through refusable", () => {
    const unit = new UnitOfWork(db);
    const typeChecks = () => {
      // @ts-expect-error a refusal returned from here would keep its writes
      void unit.transaction(async () => fail(UserErrorCode.NOT_FOUND, "No."));
      // @ts-expect-error likewise for a savepoint
      void unit.savepoint(async () => succeed(1));
      void unit.savepoint(async () => 1);
    };
    expect(typeof typeChecks).toBe("function");
  });

  it("runs a transaction again after a deadlock, so that the caller never sees it", async () => {
    const unit = new UnitOfWork(db);
    let attempts = 0;
    const result = await unit.run(async () => {
      attempts += 1;
      if (attempts === 1) throw Object.assign(new Error("deadlock detected"), { code: "40P01" });
      return "done";
    });
    expect({ result, attempts }).toEqual({ result: "done", attempts: 2 });
  });
});

describe("openTicket with a note", () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startTestServer({ DB_POOL_SIZE: "10" });
  });
  afterAll(() => srv.close());

  it("opens every ticket of twenty parallel calls, twice the pool's size, each note rendered from the contact's fields", async () => {
    const { admin, editor } = await team(srv);
    await ok(
      srv,
      `mutation($i: CreateContactFieldInput!) { createContactField(input: $i) { userErrors { code } } }`,
      { i: { name: "Plan", type: "TEXT" } },
      admin.token,
    );
    const urns: string[] = [];
    for (let i = 0; i < 20; i++) {
      const created = await ok<{ createContact: { contact: { id: string } } }>(
        srv,
        `mutation($i: CreateContactInput!) { createContact(input: $i) { contact { id } } }`,
        { i: { name: `Ana ${i}`, urns: [`tel:+25078800${String(i).padStart(4, "0")}`] } },
        admin.token,
      );
      urns.push(`tel:+25078800${String(i).padStart(4, "0")}`);
      await ok(
        srv,
        `mutation($i: SetContactFieldsInput!) { setContactFields(input: $i) { userErrors { code } } }`,
        { i: { contactId: created.createContact.contact.id, values: [{ key: "plan", value: `Gold ${i}` }] } },
        admin.token,
      );
    }
    // Before every read of a request went through its transaction's connection, the note's
    // fields were read on a second one: nineteen of these waited 10 s for it and failed.
    const answers = await Promise.all(
      urns.map((contactUrn) =>
        srv.gql<{ openTicket: { ticket: { notes: Array<{ note: string }> } | null; userErrors: unknown[] } }>(
          `mutation($i: OpenTicketInput!) { openTicket(input: $i) { ticket { notes { note } } userErrors { code } } }`,
          { i: { contactUrn, note: "Plan: @fields.plan, for @contact.name" } },
          editor.token,
        ),
      ),
    );
    for (const [i, res] of answers.entries()) {
      expect(res.errors).toBeUndefined();
      expect(res.data?.openTicket).toEqual({ ticket: { notes: [{ note: `Plan: Gold ${i}, for Ana ${i}` }] }, userErrors: [] });
    }
  });
});
