// Promise.withResolvers arrived in Node 22; PostGraphile 5 calls it. Loaded with
// NODE_OPTIONS=--require into the PostGraphile process only (the benchmark runs on Node 20).
if (typeof Promise.withResolvers !== "function") {
  Object.defineProperty(Promise, "withResolvers", {
    configurable: true,
    writable: true,
    value: function withResolvers() {
      let resolve, reject;
      const promise = new this((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}
