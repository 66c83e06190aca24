export { createTestCa } from './testCa';
