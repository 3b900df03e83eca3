// Renders every component with every fixture. Served from the package folder (see scripts/screenshots.mjs).
const fixtures = [
  ['idcr-record', '../dist/components/record/record.fixtures.js', 'recordFixtures'],
  ['idcr-patient-banner', '../dist/components/patient-banner/patient-banner.fixtures.js', 'bannerFixtures'],
  ['idcr-alerts', '../dist/components/alerts/alerts.fixtures.js', 'alertsFixtures'],
  ['idcr-allergies', '../dist/components/allergies/allergies.fixtures.js', 'allergiesFixtures'],
  ['idcr-problems', '../dist/components/problems/problems.fixtures.js', 'problemsFixtures'],
  ['idcr-medications', '../dist/components/medications/medications.fixtures.js', 'medicationsFixtures'],
  ['idcr-immunisations', '../dist/components/immunisations/immunisations.fixtures.js', 'immunisationsFixtures'],
  ['idcr-results', '../dist/components/results/results.fixtures.js', 'resultsFixtures'],
  ['idcr-encounters', '../dist/components/encounters/encounters.fixtures.js', 'encountersFixtures'],
  ['idcr-documents', '../dist/components/documents/documents.fixtures.js', 'documentsFixtures'],
  ['idcr-care-team', '../dist/components/care-team/care-team.fixtures.js', 'careTeamFixtures'],
  ['idcr-sources', '../dist/components/sources/sources.fixtures.js', 'sourcesFixtures'],
  ['idcr-virtual-ward', '../dist/components/virtual-ward/virtual-ward.fixtures.js', 'virtualWardFixtures'],
  ['idcr-patient-search', '../dist/components/patient-search/patient-search.fixtures.js', 'patientSearchFixtures'],
  ['idcr-break-glass', '../dist/components/break-glass/break-glass.fixtures.js', 'breakGlassFixtures'],
];

const params = new URLSearchParams(location.search);
const only = params.get('only');
const onlyFixture = params.get('fixture');
const container = document.getElementById('components');
const toc = document.getElementById('toc');

for (const [tag, path, name] of fixtures) {
  if (only && only !== tag) continue;
  const list = (await import(path))[name];
  const section = document.createElement('section');
  section.className = 'component';
  section.id = tag;
  section.innerHTML = `<h2>&lt;${tag}&gt;</h2>`;
  const link = document.createElement('a');
  link.href = `#${tag}`;
  link.textContent = tag;
  toc.append(link);
  for (const fixture of list) {
    if (onlyFixture && onlyFixture !== fixture.name) continue;
    const box = document.createElement('div');
    box.className = 'fixture';
    box.innerHTML = `<h3>${fixture.name}</h3><p class="description"></p>`;
    box.querySelector('.description').textContent = fixture.description;
    const element = document.createElement(tag);
    if (tag === 'idcr-break-glass') {
      // A modal on page load would cover the page: open it from a button instead (unless asked for alone).
      const { open, ...rest } = fixture.props;
      Object.assign(element, rest);
      if (open) {
        const button = document.createElement('button');
        button.textContent = 'Open the break-glass dialog';
        button.addEventListener('click', () => element.show());
        box.append(button);
        if (onlyFixture === fixture.name) queueMicrotask(() => element.show());
      }
    } else Object.assign(element, fixture.props);
    box.append(element);
    section.append(box);
  }
  container.append(section);
}
document.body.dataset.ready = 'true';
