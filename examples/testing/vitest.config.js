// Vitest runs the *.vitest.test.js files here (the *.node.test.js ones are node:test's).
export default { test: { include: ['*.vitest.test.js'] } };
