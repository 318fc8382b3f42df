// Validates NDJSON FHIR R4 resources from stdin with FHIR.js (npm "fhir", Lantana's
// validator over the R4 StructureDefinitions) and prints a JSON summary on stdout:
// {"resources": N, "invalid": N, "problems": {"Type severity path :: message": count}}.
// Terminology notices are left out: the validator has no LOINC/SNOMED/RxNorm/CVX value sets
// offline, so it can only say it could not look codes up.
const { Fhir } = require('fhir');
const fhir = new Fhir();
let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', () => {
  const lines = input.split('\n').filter((l) => l.trim() !== '');
  const problems = {};
  let invalid = 0;
  for (const line of lines) {
    const res = JSON.parse(line);
    const out = fhir.validate(res, { errorOnUnexpected: true });
    if (!out.valid) invalid++;
    for (const m of out.messages) {
      if (/not found in value set|could not be found/.test(m.message)) continue;
      const key = `${res.resourceType} ${m.severity} ${m.location.replace(/\[\d+\]/g, '[]')} :: ${m.message}`;
      problems[key] = (problems[key] || 0) + 1;
    }
  }
  process.stdout.write(JSON.stringify({ resources: lines.length, invalid, problems }));
});
