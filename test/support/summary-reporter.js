// Prints one line CI can read as the very last line of the run: "jest: N passed, M failed, K skipped".
// Jest prints "Ran all test suites" after the reporters finish, so the line is written at process exit.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const broken = results.numRuntimeErrorTestSuites
      ? ` (${results.numRuntimeErrorTestSuites} test files failed to run)`
      : '';
    const line = `jest: ${results.numPassedTests} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`;
    process.once('exit', () => process.stderr.write(`${broken ? broken.trim() + '\n' : ''}${line}\n`));
  }
}
module.exports = SummaryReporter;
