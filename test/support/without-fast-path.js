// The second pass of the HTTP suites (jest.config.js): servers the harness starts run every
// operation through Apollo's request pipeline.
process.env.GRAPHQL_FAST_PATH = "false";
