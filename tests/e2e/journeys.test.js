// The journeys of issue 9 in a real browser, in order, against one server
// (started by scripts/test.sh). Each journey is a test; later journeys use
// what earlier ones made (accounts, the proposal, the meeting).
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('./helpers');
const smtp = require('./smtp-sink');

const SECRETARIAT = { email: 'sandra.proef@serv.be', name: 'Sandra Proef', password: 'blauwe tafel onder de linde 27' };
const PARTNER = { email: 'an.proef@acv.be', name: 'An Proef (ACV)', password: 'groene fiets langs het kanaal 58' };
const CABINET = { email: 'kabinet.proef@vlaanderen.be', name: 'Kabinet Crevits (proef)', password: 'rode ballon boven het plein 93' };
const TITLE = 'Opvolging van de loopbaanbegeleiding';
const OWN_TITLE = 'Goedkeuring van het verslag van de vorige vergadering';
const PDF_NAME = 'nota-loopbaanbegeleiding.pdf';
const state = {};

/** A small valid PDF, written to a temporary file. */
function pdfFile() {
  const fs = require('node:fs');
  const os = require('node:os');
  const path = require('node:path');
  const objs = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    null,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  const text = 'BT /F1 18 Tf 72 760 Td (Nota loopbaanbegeleiding) Tj ET';
  objs[3] = `<< /Length ${text.length} >>\nstream\n${text}\nendstream`;
  let out = '%PDF-1.4\n';
  const offsets = [];
  objs.forEach((o, i) => { offsets.push(out.length); out += `${i + 1} 0 obj\n${o}\nendobj\n`; });
  const xref = out.length;
  out += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'vesoc-e2e-')), PDF_NAME);
  fs.writeFileSync(file, out, 'latin1');
  return file;
}

let sink;
before(async () => {
  await h.launch();
  if (process.env.VESOC_E2E_SMTP_PORT) sink = await smtp.start(Number(process.env.VESOC_E2E_SMTP_PORT));
});
after(async () => {
  await h.close();
  if (sink) sink.stop();
});

/** Count the rows of the proposer's own list: what must not change on bad input. */
async function myProposals(page) {
  await h.visit(page, '/agendapunten');
  return page.locator('main').getByRole('link', { name: TITLE }).count();
}

test('setup: the administrator creates the secretariat and social-partner accounts', async () => {
  const admin = await h.visitor();
  await h.signIn(admin, h.ADMIN_EMAIL, h.ADMIN_PASSWORD);
  assert.match(admin.url(), /\/mijn-werk$/, 'the administrator starts on Mijn werk');
  await admin.getByRole('heading', { name: 'Accounts' }).waitFor();
  await h.shoot(admin, 'mijn-werk-beheerder');
  for (const [who, role, org, minister] of [[SECRETARIAT, 'secretariaat', null], [PARTNER, 'sociale partner', 'ACV'],
    [CABINET, 'kabinet', null, 'Hilde Crevits']]) {
    await h.visit(admin, '/beheer/accounts/nieuw');
    await admin.getByLabel('E-mailadres (login)', { exact: true }).fill(who.email);
    await admin.getByLabel('Naam', { exact: true }).fill(who.name);
    await admin.getByLabel('Rol', { exact: true }).selectOption({ label: role });
    if (org) await admin.getByLabel(/^Organisatie/).selectOption({ label: org });
    if (minister) await admin.getByLabel(/^Kabinet van minister/).selectOption({ label: minister });
    await admin.getByRole('button', { name: 'Account aanmaken' }).click();
    await admin.getByText('Het account is aangemaakt.').waitFor();
    await h.audit(admin, 'account created');
    if (role === 'sociale partner') await h.shoot(admin, 'account-aangemaakt');
    // The full address, as it is handed on (the origin of the request).
    const link = (await admin.locator('code.copy').textContent()).trim();
    assert.match(link, /^https?:\/\/[^/\s]+\/wachtwoord-instellen\/\S+$/);

    // The new user follows the one-time link in a browser of their own.
    const user = await h.visitor();
    await h.visit(user, link);
    await user.getByLabel('Nieuw wachtwoord', { exact: true }).fill(who.password);
    await user.getByLabel('Nogmaals', { exact: true }).fill(who.password);
    await user.getByRole('button', { name: 'Wachtwoord instellen' }).click();
    await user.waitForURL(/\/aanmelden\?ingesteld=1/);
    await h.audit(user, 'password set');
    await user.context().close();
  }
  await admin.context().close();
});

test('journey 1: a visitor finds the chair of the (in)formal VESOC on 2020-01-01', async () => {
  const page = await h.visitor();
  await h.visit(page, '/');
  await page.getByRole('navigation', { name: 'Hoofdmenu' }).getByRole('link', { name: 'Organen' }).click();
  await h.audit(page);
  await page.getByRole('link', { name: '(In)formeel VESOC-overleg' }).first().click();
  await h.audit(page);
  await page.getByLabel('Toon de samenstelling op', { exact: true }).fill('2020-01-01');
  await page.getByRole('button', { name: 'Toon' }).click();
  await page.waitForURL(/op=2020-01-01/);
  await h.audit(page, 'composition on 2020-01-01');
  await assert.doesNotReject(page.getByRole('heading', { name: /Samenstelling op 1 januari 2020/ }).waitFor());
  const row = page.getByRole('row', { name: /Jan Jambon/ });
  assert.equal(await row.count(), 1);
  assert.match(await row.textContent(), /Minister-president/);
  assert.equal(await row.getByText('voorzitter', { exact: true }).count(), 1, 'Jan Jambon is marked as chair');
  assert.equal(await page.locator('tr.chair').count(), 1, 'one chair');
  await h.shoot(page, 'samenstelling-2020');
  await page.context().close();
});

test('journey 2: a social partner signs in (keyboard only) and proposes an item', async () => {
  const page = await h.visitor();
  await h.visit(page, '/aanmelden');
  // Keyboard only: Tab to the e-mail field, type, Tab, type, Tab to the button, Enter.
  for (let i = 0; i < 20; i += 1) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(() => document.activeElement.id === 'email')) break;
  }
  assert.equal(await page.evaluate(() => document.activeElement.id), 'email', 'Tab reaches the e-mail field');
  await page.keyboard.type(PARTNER.email);
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'password');
  await page.keyboard.type(PARTNER.password);
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent.trim()), 'Aanmelden');
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  await h.audit(page, 'signed in by keyboard');
  assert.match(await page.locator('header .who').textContent(), /An Proef \(ACV\)/);
  state.partnerPage = page;

  await h.visit(page, '/agendapunten/nieuw');
  const form = page.locator('main form');
  // The proposal form, keyboard only too: Tab, typing, Space on radio and
  // checkbox, typing to choose in a select, Enter on the button.
  await page.getByLabel('Titel', { exact: true }).focus();
  await page.keyboard.type(TITLE);
  await page.keyboard.press('Tab');
  await page.keyboard.type('De sociale partners vragen een stand van zaken van de loopbaanbegeleiding.');
  await page.keyboard.press('Tab'); // first radio of "Soort"
  await page.keyboard.press('ArrowDown'); // second: ter bespreking
  await page.keyboard.press('Space');
  await page.keyboard.press('Tab'); // Orgaan
  assert.equal(await page.evaluate(() => document.activeElement.id), 'body_id');
  await page.keyboard.type('VESOC-w');
  assert.equal(await page.getByLabel('Orgaan', { exact: true }).evaluate((s) => s.selectedOptions[0].textContent), 'VESOC-werkgroep');
  assert.equal(await form.getByLabel('ter bespreking', { exact: true }).isChecked(), true);
  await h.shoot(page, 'agendapunt-voorstellen');
  await page.getByRole('button', { name: 'Indienen' }).focus();
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  await h.audit(page, 'proposal submitted');
  assert.match(page.url(), /\/agendapunten\/\d+(\?|$)/);
  state.itemId = Number(page.url().match(/\/agendapunten\/(\d+)/)[1]);
  await page.getByRole('heading', { level: 1, name: TITLE }).waitFor();
  assert.equal(await page.locator('dd .badge').first().textContent(), 'ingediend');
  assert.match(await page.locator('dl.facts').textContent(), /VESOC-werkgroep/);
  // A PDF document on the item (the upload form of the documents feature).
  assert.equal(await page.getByLabel(/^Document \(/).count(), 1, 'the upload form is on the item page');
  state.uploads = true;
  {
    await page.getByLabel(/^Document \(/).setInputFiles(pdfFile());
    await page.getByRole('button', { name: 'Toevoegen', exact: true }).click();
    await page.waitForLoadState();
    await h.audit(page, 'document added');
    const link = page.getByRole('link', { name: PDF_NAME });
    assert.equal(await link.count(), 1, 'the document is listed with its file name');
    state.documentHref = await link.getAttribute('href');
    assert.match(state.documentHref, /^\/documenten\/\d+$/);
  }
  await h.shoot(page, 'agendapunt-ingediend');
  assert.equal(await myProposals(page), 1);
});

test('journey 3: the secretariat schedules, builds the agenda, convenes, records attendance and approves minutes', async () => {
  const page = await h.visitor();
  await h.signIn(page, SECRETARIAT.email, SECRETARIAT.password);
  state.secretariatPage = page;

  // Yesterday, 10:00–12:00 Brussels time: it has started whenever CI runs,
  // so it may be marked as held, and it lies within office hours.
  await h.visit(page, '/beheer/vergaderingen/nieuw');
  await page.getByLabel('Orgaan en soort', { exact: true }).selectOption({ label: 'VESOC-werkgroep – werkgroep' });
  await page.getByLabel('Datum', { exact: true }).fill(h.brusselsDate(-1));
  await page.getByLabel('Beginuur (Belgische tijd)', { exact: true }).fill('10:00');
  await page.getByLabel('Einduur', { exact: true }).fill('12:00');
  await page.getByLabel('Plaats', { exact: true }).fill('SERV, Wetstraat 34-36, Brussel');
  await page.getByRole('button', { name: 'Inplannen' }).click();
  // A date in the past: the form asks to confirm, keeping what was typed.
  await page.getByRole('alert').waitFor();
  await h.audit(page, 'past date');
  assert.match(await page.getByRole('alert').textContent(), /De datum ligt in het verleden/);
  assert.equal(await page.getByLabel('Plaats', { exact: true }).inputValue(), 'SERV, Wetstraat 34-36, Brussel');
  await page.getByLabel('De datum ligt in het verleden. Toch inplannen?', { exact: true }).check();
  await page.getByRole('button', { name: 'Inplannen' }).click();
  await page.waitForURL(/\/vergaderingen\/\d+(\?|$)/);
  await h.audit(page, 'meeting scheduled');
  state.meetingId = Number(page.url().match(/\/vergaderingen\/(\d+)/)[1]);
  const meeting = `/vergaderingen/${state.meetingId}`;
  assert.equal(await page.locator('dd .badge').first().textContent(), 'gepland');
  assert.equal(await page.locator('ol.stepper [aria-current="step"]').textContent(), '1 gepland (nu)');
  await page.screenshot({ path: 'docs/screenshots/vergadering-gepland.png', fullPage: true });

  // The secretariat's own item first, confidential.
  await page.getByRole('link', { name: 'Agenda samenstellen' }).click();
  await h.audit(page);
  await page.getByLabel('Titel', { exact: true }).fill(OWN_TITLE);
  await page.getByLabel('Soort', { exact: true }).selectOption({ label: 'ter beslissing' });
  await page.getByLabel('Vertrouwelijk', { exact: true }).check();
  await page.getByRole('button', { name: 'Toevoegen aan de agenda' }).click();
  await page.waitForLoadState();
  await h.audit(page, 'own item added');

  // The proposal from the review queue onto this meeting.
  await h.visit(page, '/beheer/agendapunten');
  await page.getByRole('link', { name: TITLE }).click();
  await h.audit(page);
  await page.getByLabel(/^Vergadering/).selectOption({ index: 1 });
  assert.match(await page.getByLabel(/^Vergadering/).evaluate((s) => s.selectedOptions[0].textContent), /VESOC-werkgroep/);
  await page.getByRole('button', { name: 'Aanvaarden' }).click();
  await page.waitForLoadState();
  await h.audit(page, 'accepted');
  assert.equal(await page.locator('dd .badge').first().textContent(), 'aanvaard');

  // Move it to the top of the agenda.
  await h.visit(page, `${meeting}/agenda`);
  const entries = page.locator('ol.agenda-builder > li .entry-head a');
  assert.deepEqual(await entries.allTextContents(), [OWN_TITLE, TITLE]);
  await page.getByRole('button', { name: `Omhoog (${TITLE})` }).click();
  await page.waitForLoadState();
  await h.audit(page, 'moved up');
  assert.deepEqual(await entries.allTextContents(), [TITLE, OWN_TITLE]);
  assert.deepEqual(await page.locator('ol.agenda-builder .line-label').allTextContents(), ['1', '2']);
  await h.shoot(page, 'agenda-samenstellen');

  // Convene, invite, attendance, held, minutes.
  await h.visit(page, meeting);
  await page.getByRole('button', { name: 'Bijeenroepen' }).click();
  await page.waitForLoadState();
  await h.audit(page, 'convened');
  assert.equal(await page.locator('dd .badge').first().textContent(), 'bijeengeroepen');
  assert.equal(await page.locator('p.notice').textContent(), 'De vergadering is bijeengeroepen.');
  await page.screenshot({ path: 'docs/screenshots/vergadering-bijeengeroepen.png', fullPage: true });
  await page.getByRole('button', { name: 'Uitnodigen volgens de samenstelling' }).click();
  await page.waitForLoadState();
  await h.audit(page, 'invited');
  assert.match(await page.locator('p.notice').textContent(), /^\d+ person(en)? toegevoegd/);
  // The working group's seats carry no names in the documents: invite two
  // people from the register by hand as well, at once.
  await page.getByLabel(/^Personen uitnodigen/).selectOption([{ index: 0 }, { index: 1 }]);
  await page.getByRole('button', { name: 'Toevoegen', exact: true }).click();
  await page.waitForLoadState();
  await h.audit(page, 'two people invited');
  assert.equal(await page.locator('p.notice').textContent(), '2 personen toegevoegd.');
  const selects = page.getByLabel(/^Aanwezigheid van /);
  const invited = await selects.count();
  assert.ok(invited > 0, 'people were invited');
  for (let i = 0; i < invited; i += 1) {
    await selects.nth(i).selectOption({ label: i === 1 ? 'verontschuldigd' : 'aanwezig' });
  }
  await page.getByRole('button', { name: 'Aanwezigheden opslaan' }).click();
  await page.waitForLoadState();
  await h.audit(page, 'attendance saved');
  assert.equal(await selects.first().evaluate((s) => s.selectedOptions[0].textContent), 'aanwezig');
  if (invited > 1) assert.equal(await selects.nth(1).evaluate((s) => s.selectedOptions[0].textContent), 'verontschuldigd');

  await page.getByRole('button', { name: 'Markeren als gehouden' }).click();
  await page.waitForLoadState();
  await h.audit(page, 'held');
  assert.equal(await page.locator('dd .badge').first().textContent(), 'gehouden');
  assert.equal(await page.locator('p.notice').textContent(), 'De vergadering is als gehouden gemarkeerd.');

  await page.getByLabel('Ontwerpverslag', { exact: true }).fill('De werkgroep bespreekt de loopbaanbegeleiding.\nHet secretariaat bezorgt een nota.');
  await page.getByRole('button', { name: 'Ontwerp opslaan' }).click();
  await page.waitForLoadState();
  await h.audit(page, 'minutes draft');
  await page.screenshot({ path: 'docs/screenshots/vergadering-gehouden.png', fullPage: true });
  await page.getByLabel('Ik bevestig dat dit verslag goedgekeurd is', { exact: true }).check();
  await page.getByRole('button', { name: 'Verslag goedkeuren' }).click();
  await page.waitForLoadState();
  await h.audit(page, 'minutes approved');
  assert.equal(await page.locator('p.notice').textContent(), 'Het verslag is goedgekeurd.');
  assert.match(await page.locator('section[aria-labelledby="verslag"]').textContent(), /Goedgekeurd op/);
  assert.equal(await page.locator('ol.stepper [aria-current="step"]').textContent(), '4 verslag goedgekeurd (nu)');
  await page.screenshot({ path: 'docs/screenshots/vergadering-verslag-goedgekeurd.png', fullPage: true });
  await h.shoot(page, 'vergadering-secretariaat');
});

test('journey 4: the social partner sees the agenda; a visitor sees nothing confidential', async () => {
  const page = state.partnerPage;
  const meeting = `/vergaderingen/${state.meetingId}`;
  await h.visit(page, meeting);
  const agenda = page.locator('ol.agenda');
  assert.deepEqual(
    (await agenda.locator(':scope > li').allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim().split(' ter ')[0]),
    [`1 ${TITLE}`, `2 ${OWN_TITLE}`],
  );
  assert.match(await page.locator('section[aria-labelledby="verslag"]').textContent(), /bezorgt een nota/);
  await h.shoot(page, 'vergadering-sociale-partner');
  await h.visit(page, `/agendapunten/${state.itemId}`);
  assert.match(await page.locator('dl.facts').textContent(), /agendapunt 1/);
  if (state.uploads) {
    // The download with the user's session (the browser's cookies).
    const res = await page.context().request.get(state.documentHref);
    assert.equal(res.status(), 200, 'the social partner downloads the document');
    assert.equal((await res.body()).subarray(0, 5).toString(), '%PDF-');
  }

  const visitor = await h.visitor();
  await h.visit(visitor, meeting);
  const text = await visitor.locator('main').textContent();
  assert.match(text, new RegExp(TITLE));
  assert.doesNotMatch(text, new RegExp(OWN_TITLE), 'a confidential item stays hidden');
  assert.doesNotMatch(text, /bezorgt een nota|Wetstraat/, 'minutes and place are for members');
  await h.shoot(visitor, 'vergadering-publiek');
  await visitor.goto(`/agendapunten/${state.itemId}`);
  assert.match(visitor.url(), /\/aanmelden/, 'the item page asks a visitor to sign in');
  await h.audit(visitor, 'sign-in redirect');
  if (state.uploads) {
    // The document of a public item is as public as its item (docs/access.md).
    const res = await visitor.context().request.get(state.documentHref, { maxRedirects: 0 });
    assert.equal(res.status(), 200, 'a visitor downloads the public item\'s document');
    await visitor.goto(`/vergaderingen/${state.meetingId}`);
    assert.equal(await visitor.getByRole('link', { name: PDF_NAME }).count(), 1);
  }
  await visitor.context().close();
});

test('journey 5: bad input gives a Dutch message, keeps the input and changes nothing', async () => {
  const partner = state.partnerPage;
  const sec = state.secretariatPage;

  // Sign-in with a wrong password: message, e-mail kept.
  const v = await h.visitor();
  await h.visit(v, '/aanmelden');
  await v.getByLabel('E-mailadres', { exact: true }).fill(PARTNER.email);
  await v.getByLabel('Wachtwoord', { exact: true }).fill('niet het goede wachtwoord');
  await v.getByRole('button', { name: 'Aanmelden' }).click();
  await v.getByRole('alert').waitFor();
  await h.audit(v, 'wrong password');
  assert.match(await v.getByRole('alert').textContent(), /wachtwoord/i);
  assert.equal(await v.getByLabel('E-mailadres', { exact: true }).inputValue(), PARTNER.email);

  // Composition on a malformed date.
  const bad = await v.goto('/organen/vesoc-overleg?op=2020-13-45');
  assert.equal(bad.status(), 400);
  await h.audit(v, 'malformed date');
  assert.equal(await v.getByLabel('Toon de samenstelling op', { exact: true }).inputValue(), '', 'a date field cannot show a malformed date');
  assert.match(await v.locator('#op-fout').textContent(), /datum/i);
  await v.context().close();

  // The proposal form: empty title, too long title, forged CSRF token.
  const before = await myProposals(partner);
  const explanation = 'Uitleg die bewaard moet blijven.';
  await h.visit(partner, '/agendapunten/nieuw');
  let form = partner.locator('main form');
  await h.noBrowserValidation(form);
  await partner.getByLabel('Toelichting', { exact: true }).fill(explanation);
  await partner.getByLabel('Orgaan', { exact: true }).selectOption({ label: 'VESOC-werkgroep' });
  await partner.getByRole('button', { name: 'Indienen' }).click();
  await partner.getByRole('alert').waitFor();
  await h.audit(partner, 'empty title');
  assert.match(await partner.getByRole('alert').textContent(), /Vul een titel in\./);
  assert.equal(await partner.getByLabel('Toelichting', { exact: true }).inputValue(), explanation);
  assert.equal(await partner.getByLabel('Titel', { exact: true }).getAttribute('aria-invalid'), 'true');

  form = partner.locator('main form');
  await h.noBrowserValidation(form);
  const long = 'x'.repeat(301);
  await partner.getByLabel('Titel', { exact: true }).fill(long);
  await partner.getByRole('button', { name: 'Indienen' }).click();
  await partner.getByText('De titel mag hoogstens 300 tekens lang zijn.').first().waitFor();
  await h.audit(partner, 'title too long');
  assert.equal(await partner.getByLabel('Titel', { exact: true }).inputValue(), long);
  assert.equal(await partner.getByLabel('Toelichting', { exact: true }).inputValue(), explanation);

  form = partner.locator('main form');
  await partner.getByLabel('Titel', { exact: true }).fill('Vervalst voorstel');
  await h.forgeCsrf(form);
  const [res] = await Promise.all([
    partner.waitForResponse((r) => r.request().method() === 'POST'),
    partner.getByRole('button', { name: 'Indienen' }).click(),
  ]);
  assert.equal(res.status(), 403);
  await partner.getByRole('heading', { name: 'Formulier verlopen' }).waitFor();
  await h.audit(partner, 'forged CSRF');
  assert.equal(await myProposals(partner), before, 'no proposal was added');
  assert.equal(await partner.getByRole('link', { name: 'Vervalst voorstel' }).count(), 0);

  // The meeting form: malformed date and an end before the start.
  await h.visit(sec, '/vergaderingen');
  const meetingsBefore = await sec.locator('main a[href^="/vergaderingen/"]').count();
  await h.visit(sec, '/beheer/vergaderingen/nieuw');
  form = sec.locator('main form');
  await h.noBrowserValidation(form);
  await sec.getByLabel('Datum', { exact: true }).evaluate((el) => { el.type = 'text'; });
  await sec.getByLabel('Orgaan en soort', { exact: true }).selectOption({ label: 'VESOC-werkgroep – werkgroep' });
  await sec.getByLabel('Datum', { exact: true }).fill('31-02-2026');
  await sec.getByLabel('Beginuur (Belgische tijd)', { exact: true }).fill('14:00');
  await sec.getByLabel('Einduur', { exact: true }).fill('16:00');
  await sec.getByLabel('Plaats', { exact: true }).fill('Boudewijngebouw');
  await sec.getByRole('button', { name: 'Inplannen' }).click();
  await sec.getByRole('alert').waitFor();
  await h.audit(sec, 'malformed date');
  assert.match(await sec.getByRole('alert').textContent(), /Vul een geldige datum in \(JJJJ-MM-DD\)\./);
  // A date field cannot show a malformed date; the server sent it back.
  assert.equal(await sec.getByLabel('Datum', { exact: true }).getAttribute('value'), '31-02-2026');
  await sec.getByLabel('Datum', { exact: true }).evaluate((el) => { el.type = 'text'; });
  assert.equal(await sec.getByLabel('Plaats', { exact: true }).inputValue(), 'Boudewijngebouw');
  await h.shoot(sec, 'vergadering-fout');

  await sec.getByLabel('Datum', { exact: true }).fill(h.brusselsDate(30));
  await sec.getByLabel('Einduur', { exact: true }).fill('13:00');
  await sec.getByRole('button', { name: 'Inplannen' }).click();
  await sec.getByText('Het einduur moet na het beginuur liggen.').first().waitFor();
  await h.audit(sec, 'end before start');
  assert.equal(await sec.getByLabel('Plaats', { exact: true }).inputValue(), 'Boudewijngebouw');

  form = sec.locator('main form');
  await sec.getByLabel('Einduur', { exact: true }).fill('16:00');
  await h.forgeCsrf(form);
  await sec.getByRole('button', { name: 'Inplannen' }).click();
  await sec.getByRole('heading', { name: 'Formulier verlopen' }).waitFor();
  await h.audit(sec, 'forged CSRF');
  await h.visit(sec, '/vergaderingen');
  assert.equal(await sec.locator('main a[href^="/vergaderingen/"]').count(), meetingsBefore, 'no meeting was added');

  // The agenda builder: an item without a title; the order stays.
  const builder = `/vergaderingen/${state.meetingId}/agenda`;
  await h.visit(sec, `/vergaderingen`);
  await h.visit(sec, builder);
  const entries = sec.locator('ol.agenda-builder > li .entry-head a');
  const order = await entries.allTextContents();
  if (await sec.getByRole('button', { name: 'Toevoegen aan de agenda' }).count()) {
    await sec.getByLabel('Toelichting', { exact: true }).fill('zonder titel');
    await sec.getByRole('button', { name: 'Toevoegen aan de agenda' }).click();
    await sec.getByRole('alert').waitFor();
    await h.audit(sec, 'item without title');
    assert.equal(await sec.getByLabel('Toelichting', { exact: true }).inputValue(), 'zonder titel');
  }
  await h.visit(sec, builder);
  assert.deepEqual(await entries.allTextContents(), order);
  // A forged token on "Omlaag" moves nothing.
  await h.forgeCsrf(sec.locator('form', { has: sec.getByRole('button', { name: `Omlaag (${TITLE})` }) }));
  await sec.getByRole('button', { name: `Omlaag (${TITLE})` }).click();
  await sec.getByRole('heading', { name: 'Formulier verlopen' }).waitFor();
  await h.audit(sec, 'forged CSRF on move');
  await h.visit(sec, builder);
  assert.deepEqual(await entries.allTextContents(), order);

  await partner.context().close();
  await sec.context().close();
});

test('journey 6: each role starts on "Mijn werk"; a cabinet follows up a line the secretariat linked', async () => {
  // The social partner: its proposal under way, and the coming agenda of its body.
  const partner = await h.visitor();
  await h.signIn(partner, PARTNER.email, PARTNER.password);
  assert.match(partner.url(), /\/mijn-werk$/, 'signing in leads to the start page');
  await partner.getByRole('heading', { name: 'Mijn werk', level: 1 }).waitFor();
  await h.shoot(partner, 'mijn-werk-sociale-partner');
  await partner.context().close();

  // The secretariat: what is to review, and where each meeting stands.
  const sec = await h.visitor();
  await h.signIn(sec, SECRETARIAT.email, SECRETARIAT.password);
  assert.match(sec.url(), /\/mijn-werk$/);
  await sec.getByRole('heading', { name: /Te beoordelen/ }).waitFor();
  // A meeting next week appears with where it stands: nothing done yet.
  await h.visit(sec, '/beheer/vergaderingen/nieuw');
  await sec.getByLabel('Orgaan en soort', { exact: true }).selectOption({ label: 'VESOC-werkgroep – werkgroep' });
  await sec.getByLabel('Datum', { exact: true }).fill(h.brusselsDate(7));
  await sec.getByLabel('Beginuur (Belgische tijd)', { exact: true }).fill('14:00');
  await sec.getByLabel('Einduur', { exact: true }).fill('16:00');
  await sec.getByRole('button', { name: 'Inplannen' }).click();
  await sec.waitForURL(/\/vergaderingen\/\d+(\?|$)/);
  const next = new URL(sec.url()).pathname;
  await h.visit(sec, '/mijn-werk');
  const card = sec.locator('li.card', { has: sec.locator(`a[href="${next}"]`) });
  assert.equal(await card.count(), 1, 'the new meeting is on the start page');
  assert.match(await card.locator('ol.checklist').textContent(), /te doen: Uitnodigingen/);
  await h.shoot(sec, 'mijn-werk-secretariaat');

  // The cabinet's minister holds no competence today: the page says why.
  const cab = await h.visitor();
  await h.signIn(cab, CABINET.email, CABINET.password);
  await cab.getByText('Uw minister heeft vandaag geen bevoegdheden').waitFor();
  await h.shoot(cab, 'mijn-werk-kabinet-zonder-bevoegdheid');

  // The secretariat gives Hilde Crevits the competence Werk from today...
  await h.visit(sec, '/beheer/personen/hilde-crevits');
  await sec.getByLabel('Bevoegdheid', { exact: true }).fill('Werk');
  await sec.getByLabel('Vanaf', { exact: true }).fill(h.brusselsDate(0));
  await sec.getByRole('button', { name: 'Bevoegdheid toevoegen' }).click();
  await sec.waitForLoadState();
  await h.audit(sec, 'competence added');
  // ...and links the theme "Iedereen aan het werk" to it in the agreement editor.
  await h.visit(sec, '/beheer/akkoorden/iedereen-aan-boord-2019');
  const edit = sec.locator('a[href*="/actielijnen/"]', { hasText: /^Bewerken: .*Iedereen aan het werk$/ }).first();
  await h.visit(sec, await edit.getAttribute('href'));
  await sec.getByLabel('Werk', { exact: true }).check();
  await sec.getByRole('button', { name: 'Wijzigingen opslaan' }).click();
  await sec.waitForLoadState();
  await h.audit(sec, 'line linked to a competence');
  await sec.context().close();

  // The cabinet now finds the lines with "Opvolging toevoegen" and adds one.
  await h.visit(cab, '/mijn-werk');
  const add = cab.getByRole('link', { name: 'Opvolging toevoegen' });
  assert.ok(await add.count() > 0, 'lines within the competences are listed');
  await h.shoot(cab, 'mijn-werk-kabinet');
  await add.first().click();
  await cab.waitForLoadState();
  await h.audit(cab, 'follow-up form');
  await cab.getByLabel('Datum', { exact: true }).fill(h.brusselsDate(0));
  await cab.getByLabel('Status', { exact: true }).selectOption({ label: 'lopend' });
  await cab.getByRole('button', { name: 'Opvolging toevoegen' }).click();
  await cab.waitForLoadState();
  await h.audit(cab, 'follow-up added');
  await h.visit(cab, '/mijn-werk');
  assert.ok(await cab.getByRole('cell', { name: /lopend/ }).count() > 0, 'the latest status is shown');
  await cab.context().close();
});

test('journey 7: a convocation arrives by mail, the invitee answers through its link, the secretariat sees the answer', async (t) => {
  if (!sink) { t.skip('no SMTP sink (VESOC_E2E_SMTP_PORT)'); return; }
  const sec = await h.visitor();
  await h.signIn(sec, SECRETARIAT.email, SECRETARIAT.password);

  // The secretariat keeps Jan Jambon's address in the register.
  await h.visit(sec, '/beheer/personen/jan-jambon');
  await sec.getByLabel(/^E-mailadres/).fill('jan.jambon@vlaanderen.test');
  await sec.locator('#persoon-form').getByRole('button').click();
  await sec.waitForLoadState();
  await h.audit(sec, 'address kept');

  // A meeting tomorrow, Jan Jambon invited, convened.
  await h.visit(sec, '/beheer/vergaderingen/nieuw');
  await sec.getByLabel('Orgaan en soort', { exact: true }).selectOption({ label: 'VESOC-werkgroep – werkgroep' });
  await sec.getByLabel('Datum', { exact: true }).fill(h.brusselsDate(1));
  await sec.getByLabel('Beginuur (Belgische tijd)', { exact: true }).fill('10:00');
  await sec.getByLabel('Einduur', { exact: true }).fill('12:00');
  await sec.getByLabel('Plaats', { exact: true }).fill('SERV, Wetstraat 34-36, Brussel');
  await sec.getByRole('button', { name: 'Inplannen' }).click();
  await sec.waitForURL(/\/vergaderingen\/\d+(\?|$)/);
  const meeting = new URL(sec.url()).pathname;
  await sec.getByLabel(/^Personen uitnodigen/).selectOption({ label: 'Jan Jambon' });
  await sec.getByRole('button', { name: 'Toevoegen', exact: true }).click();
  await sec.waitForLoadState();
  await sec.getByRole('button', { name: 'Bijeenroepen' }).click();
  await sec.getByText('De vergadering is bijeengeroepen.').waitFor();
  await h.audit(sec, 'convened');

  // The convocation arrives, with the agenda's place and an answer link.
  const mail = await smtp.waitFor(sink.received, 'jan.jambon@vlaanderen.test');
  assert.match(mail, /Subject: Uitnodiging: VESOC-werkgroep/);
  assert.match(mail, /Waar: SERV, Wetstraat 34-36, Brussel/);
  assert.match(mail, /text\/calendar; charset=utf-8; method=REQUEST/);
  const link = mail.match(/https?:\/\/\S+\/antwoord\/[A-Za-z0-9_-]+/);
  assert.ok(link, `an answer link in:\n${mail}`);

  // The invitee answers without signing in: represented by a substitute.
  const invitee = await h.visitor();
  await h.visit(invitee, new URL(link[0]).pathname);
  await invitee.getByLabel('Ik word vervangen').check();
  await invitee.getByLabel(/^Naam van wie u vervangt/).fill('Hilde Crevits');
  await invitee.getByRole('button', { name: 'Antwoord bewaren' }).click();
  await invitee.getByText('Uw antwoord is bewaard.').waitFor();
  await h.audit(invitee, 'answered');
  await h.shoot(invitee, 'antwoord-genodigde');
  await invitee.context().close();

  // The secretariat sees the answer on the meeting page.
  await h.visit(sec, meeting);
  await sec.getByRole('cell', { name: 'vervangen door Hilde Crevits' }).waitFor();
  await sec.context().close();
});

test('journey 8: a proposer hears of the decision by mail and unsubscribes in one click; the secretariat sets reminders and a proposal deadline', async (t) => {
  if (!sink) { t.skip('no SMTP sink (VESOC_E2E_SMTP_PORT)'); return; }
  const partner = await h.visitor();
  await h.signIn(partner, PARTNER.email, PARTNER.password);

  // Her choices, from her account page: everything at once (the default).
  await h.visit(partner, '/account');
  await partner.getByRole('link', { name: 'Berichten kiezen' }).click();
  await partner.waitForLoadState();
  await h.audit(partner, 'choices');
  await h.shoot(partner, 'berichten-kiezen');
  assert.equal(await partner.getByRole('group', { name: /Beslissingen over uw voorstellen/ }).getByLabel('meteen').isChecked(), true);

  // A proposal, returned by the secretariat with a comment.
  const title = 'Proef met opleidingscheques';
  await h.visit(partner, '/agendapunten/nieuw');
  await partner.getByLabel('Titel', { exact: true }).fill(title);
  await partner.getByLabel('Toelichting', { exact: true }).fill('Een proef in twee provincies.');
  await partner.getByLabel('ter bespreking', { exact: true }).check();
  await partner.getByLabel('Orgaan', { exact: true }).selectOption({ label: 'VESOC-werkgroep' });
  await partner.getByRole('button', { name: 'Indienen' }).click();
  await partner.waitForURL(/\/agendapunten\/\d+(\?|$)/);

  const sec = await h.visitor();
  await h.signIn(sec, SECRETARIAT.email, SECRETARIAT.password);
  await h.visit(sec, '/beheer/agendapunten');
  await sec.getByRole('link', { name: title }).click();
  await sec.getByLabel(/^Opmerking voor de indiener/).fill('Voeg een raming van de kosten toe.');
  await sec.getByRole('button', { name: 'Terugsturen voor aanpassing' }).click();
  await sec.waitForLoadState();

  // The decision arrives, with the comment and a one-click unsubscribe.
  const mail = await smtp.waitFor(sink.received, PARTNER.email, 15_000, /Aan te passen: Proef met opleidingscheques/);
  assert.match(mail, /Opmerking van het secretariaat: Voeg een raming van de kosten toe\./);
  assert.match(mail, /List-Unsubscribe-Post: List-Unsubscribe=One-Click/);
  const link = mail.match(/https?:\/\/\S+\/uitschrijven\/[A-Za-z0-9_-]+/);
  assert.ok(link, `an unsubscribe link in:\n${mail}`);

  // The link's page asks first; one click, without signing in.
  const reader = await h.visitor();
  await h.visit(reader, new URL(link[0]).pathname);
  await h.audit(reader, 'unsubscribe asked');
  await reader.getByRole('button', { name: 'Uitschrijven' }).click();
  await reader.getByText(/krijgt geen berichten meer over/).waitFor();
  await h.audit(reader, 'unsubscribed');
  await reader.context().close();
  await h.visit(partner, '/account/berichten');
  assert.equal(await partner.getByRole('group', { name: /Beslissingen over uw voorstellen/ }).getByLabel('niet', { exact: true }).isChecked(), true);
  await partner.context().close();

  // The secretariat: reminders two working days before, and a deadline.
  await h.visit(sec, '/beheer/vergaderingen/nieuw');
  await sec.getByLabel('Orgaan en soort', { exact: true }).selectOption({ label: 'VESOC-werkgroep – werkgroep' });
  await sec.getByLabel('Datum', { exact: true }).fill(h.brusselsDate(30));
  await sec.getByLabel('Beginuur (Belgische tijd)', { exact: true }).fill('10:00');
  await sec.getByLabel('Einduur', { exact: true }).fill('12:00');
  await sec.getByLabel('Datum van de termijn', { exact: true }).fill(h.brusselsDate(20));
  await sec.getByRole('button', { name: 'Inplannen' }).click();
  await sec.waitForURL(/\/vergaderingen\/\d+(\?|$)/);
  await sec.getByText('Voorstellen tot').waitFor();
  await h.audit(sec, 'deadline');
  await sec.getByRole('link', { name: /instellen/ }).click();
  await sec.waitForLoadState();
  await h.audit(sec, 'reminder setting');
  await h.noBrowserValidation(sec.locator('main form'));
  await sec.getByLabel(/^Aantal werkdagen vooraf/).fill('25');
  await sec.getByRole('button', { name: 'Bewaren' }).click();
  await sec.getByText('Geef een geheel getal van 0 tot 20.').first().waitFor();
  assert.equal(await sec.getByLabel(/^Aantal werkdagen vooraf/).inputValue(), '25');
  await sec.getByLabel(/^Aantal werkdagen vooraf/).fill('2');
  await sec.getByRole('button', { name: 'Bewaren' }).click();
  await sec.getByText('De instelling is bewaard.').waitFor();
  await h.shoot(sec, 'herinneringen');
  await sec.context().close();
});

test('journey 9: the secretariat sends version A and then B of an agenda; a member reads what changed', async () => {
  const sec = await h.visitor();
  await h.signIn(sec, SECRETARIAT.email, SECRETARIAT.password);
  await h.visit(sec, '/beheer/vergaderingen/nieuw');
  await sec.getByLabel('Orgaan en soort', { exact: true }).selectOption({ label: 'VESOC-werkgroep – werkgroep' });
  await sec.getByLabel('Datum', { exact: true }).fill(h.brusselsDate(14));
  await sec.getByLabel('Beginuur (Belgische tijd)', { exact: true }).fill('14:00');
  await sec.getByLabel('Einduur', { exact: true }).fill('16:00');
  await sec.getByRole('button', { name: 'Inplannen' }).click();
  await sec.waitForURL(/\/vergaderingen\/\d+(\?|$)/);
  const meeting = new URL(sec.url()).pathname;

  const addOwn = async (title) => {
    await h.visit(sec, `${meeting}/agenda`);
    await sec.getByLabel('Titel', { exact: true }).fill(title);
    await sec.getByLabel('Soort', { exact: true }).selectOption({ label: 'ter bespreking' });
    await sec.getByRole('button', { name: 'Toevoegen aan de agenda' }).click();
    await sec.waitForLoadState();
  };
  await addOwn('Stand van zaken werkbaar werk');
  // Convening sends the agenda: version A.
  await h.visit(sec, meeting);
  await sec.getByRole('button', { name: 'Bijeenroepen' }).click();
  await sec.getByText('De vergadering is bijeengeroepen.').waitFor();
  // A new item, then the changed agenda as version B.
  await addOwn('Evaluatie van de opleidingscheques');
  await sec.getByRole('button', { name: 'Gewijzigde agenda versturen als nieuwe versie' }).click();
  await sec.getByText(/De nieuwe versie van de agenda is vastgelegd/).waitFor();
  await h.audit(sec, 'version B sent');
  await sec.context().close();

  // A member of the body compares the versions.
  const partner = await h.visitor();
  await h.signIn(partner, PARTNER.email, PARTNER.password);
  await h.visit(partner, meeting);
  await partner.getByRole('link', { name: 'versie A' }).click();
  await partner.waitForLoadState();
  await h.audit(partner, 'version A');
  assert.equal(await partner.getByText('Evaluatie van de opleidingscheques').count(), 0);
  await h.visit(partner, meeting);
  await partner.getByRole('link', { name: 'versies vergelijken' }).click();
  await partner.getByLabel('Van versie').selectOption('A');
  await partner.getByLabel('Naar versie').selectOption('B');
  await partner.getByRole('button', { name: 'Vergelijken' }).click();
  await partner.getByText('Nieuw: 2. Evaluatie van de opleidingscheques (ter bespreking)').waitFor();
  await h.audit(partner, 'difference');
  await h.shoot(partner, 'agenda-versies-vergelijken');
  // The meeting pack downloads as one ZIP.
  await h.visit(partner, meeting);
  const [pack] = await Promise.all([
    partner.waitForEvent('download'),
    partner.getByRole('link', { name: /^Vergaderpakket/ }).click(),
  ]);
  assert.match(pack.suggestedFilename(), /^vergadering-\d+\.zip$/);
  const fs = require('node:fs');
  const bytes = fs.readFileSync(await pack.path());
  assert.equal(bytes.subarray(0, 2).toString('latin1'), 'PK', 'a ZIP archive');
  await partner.context().close();
});

// Schedules a meeting of the working group `days` from today (in the past:
// confirmed), 14:00–16:00; returns its path.
async function pastWorkingGroup(sec, days) {
  await h.visit(sec, '/beheer/vergaderingen/nieuw');
  await sec.getByLabel('Orgaan en soort', { exact: true }).selectOption({ label: 'VESOC-werkgroep – werkgroep' });
  await sec.getByLabel('Datum', { exact: true }).fill(h.brusselsDate(days));
  await sec.getByLabel('Beginuur (Belgische tijd)', { exact: true }).fill('14:00');
  await sec.getByLabel('Einduur', { exact: true }).fill('16:00');
  await sec.getByRole('button', { name: 'Inplannen' }).click();
  await sec.getByLabel('De datum ligt in het verleden. Toch inplannen?', { exact: true }).check();
  await sec.getByRole('button', { name: 'Inplannen' }).click();
  await sec.waitForURL(/\/vergaderingen\/\d+(\?|$)/);
  return new URL(sec.url()).pathname;
}

test('journey 10: minutes per item, an action point for ACV, comments, approval at the next meeting and lock', async () => {
  const sec = await h.visitor();
  await h.signIn(sec, SECRETARIAT.email, SECRETARIAT.password);
  // A meeting of the working group that was held two days ago.
  const meeting = await pastWorkingGroup(sec, -2);
  await h.visit(sec, `${meeting}/agenda`);
  await sec.getByLabel('Titel', { exact: true }).fill('Werkbaar werk in de zorg');
  await sec.getByLabel('Soort', { exact: true }).selectOption({ label: 'ter beslissing' });
  await sec.getByRole('button', { name: 'Toevoegen aan de agenda' }).click();
  await sec.waitForLoadState();
  await h.visit(sec, meeting);
  await sec.getByRole('button', { name: 'Bijeenroepen' }).click();
  await sec.getByText('De vergadering is bijeengeroepen.').waitFor();
  await sec.getByRole('button', { name: 'Markeren als gehouden' }).click();
  await sec.getByText('De vergadering is als gehouden gemarkeerd.').waitFor();
  await sec.getByLabel('Ontwerpverslag', { exact: true }).fill('De voorzitter opent de vergadering om 14 uur.');
  await sec.getByRole('button', { name: 'Ontwerp opslaan' }).click();
  await sec.waitForLoadState();

  // The minutes per item: the summary and the decision of the one item.
  await sec.getByRole('link', { name: 'Het verslag per agendapunt' }).click();
  await sec.waitForLoadState();
  await h.audit(sec, 'minutes per item');
  await sec.getByLabel('Samenvatting van de bespreking', { exact: true }).fill('De sociale partners steunen een proefproject.');
  await sec.getByLabel('Uitkomst', { exact: true }).selectOption({ label: 'beslist' });
  await sec.getByLabel(/^Tekst van de beslissing/).fill('De werkgroep start een proefproject in drie ziekenhuizen.');
  await sec.getByRole('button', { name: 'Punt 1 opslaan' }).click();
  await sec.getByText('Het verslag van het punt is opgeslagen.').waitFor();
  await h.audit(sec, 'section saved');

  // An action point for ACV from the item's section.
  await sec.locator('details.entry-actions summary').first().click();
  await sec.getByLabel('Wat moet er gebeuren?').fill('Drie ziekenhuizen voorstellen voor het proefproject');
  const assignee = sec.getByLabel('Wie voert het uit?');
  const acv = await assignee.locator('option', { hasText: 'ACV' }).first().getAttribute('value');
  await assignee.selectOption(acv);
  await sec.getByLabel('Te doen tegen').fill(h.brusselsDate(14));
  await sec.locator('form.action-point-form button[type=submit]').click();
  await sec.getByText('Het actiepunt is toegevoegd').waitFor();
  await h.audit(sec, 'action point');
  const point = new URL(sec.url()).pathname;

  // Sent to the members for comments.
  await h.visit(sec, `${meeting}/verslag`);
  await sec.getByLabel('Opmerkingen welkom tot en met').fill(h.brusselsDate(7));
  await sec.getByRole('button', { name: 'Ter opmerkingen versturen aan de leden' }).click();
  await sec.getByText('Het ontwerpverslag is ter opmerkingen verstuurd aan de leden.').waitFor();

  // ACV reads the draft and reports its action point done.
  const partner = await h.visitor();
  await h.signIn(partner, PARTNER.email, PARTNER.password);
  await h.visit(partner, `${meeting}/verslag`);
  await partner.getByText('De sociale partners steunen een proefproject.').waitFor();
  await partner.getByText('De werkgroep start een proefproject in drie ziekenhuizen.').waitFor();
  await h.audit(partner, 'minutes for comments');
  await h.visit(partner, '/actiepunten');
  await h.audit(partner, 'our action points');
  await partner.getByRole('link', { name: /Drie ziekenhuizen voorstellen/ }).first().click();
  await partner.waitForLoadState();
  await partner.getByRole('button', { name: 'Melden als uitgevoerd' }).click();
  await partner.getByText('Het actiepunt is gemeld als uitgevoerd.').waitFor();
  await h.audit(partner, 'reported done');
  await partner.context().close();

  // The secretariat confirms, then the minutes are approved: locked.
  await h.visit(sec, point);
  await sec.getByRole('button', { name: 'Uitvoering bevestigen' }).click();
  await sec.getByText('De uitvoering is bevestigd').waitFor();
  // The next meeting (yesterday) approves the minutes through its agenda:
  // "Goedkeuring van het verslag" in one click, then "beslist".
  const next = await pastWorkingGroup(sec, -1);
  await h.visit(sec, `${next}/agenda`);
  await sec.getByRole('button', { name: /^Goedkeuring van het verslag van .* toevoegen$/ }).click();
  await sec.waitForLoadState();
  await h.audit(sec, 'builder with the approval of the minutes');
  await sec.locator('details.entry-actions summary').first().click();
  await sec.getByLabel('Uitkomst', { exact: true }).selectOption({ label: 'beslist' });
  await sec.getByLabel(/^Tekst van de beslissing/).fill('Het verslag van de vorige vergadering wordt goedgekeurd.');
  await sec.getByRole('button', { name: 'Uitkomst opslaan' }).click();
  await sec.waitForLoadState();
  await h.visit(sec, `${meeting}/verslag`);
  await sec.getByText(/Goedgekeurd op .*alleen verbeterd/).waitFor();
  assert.equal(await sec.getByRole('button', { name: 'Punt 1 opslaan' }).count(), 0, 'locked');
  assert.match(await sec.locator('ul.action-points').first().textContent(), /uitgevoerd/);
  await h.audit(sec, 'approved minutes');
  await h.shoot(sec, 'verslag-per-agendapunt');
  // The minutes as PDF, from the page's link.
  const pdfHref = await sec.getByRole('link', { name: 'Verslag als PDF' }).getAttribute('href');
  const pdf = await sec.context().request.get(pdfHref);
  assert.equal(pdf.status(), 200);
  assert.equal(pdf.headers()['content-type'], 'application/pdf');
  assert.ok((await pdf.body()).subarray(0, 5).toString() === '%PDF-', 'a PDF');
  // The decision list and the register are public now.
  const visitor = await h.visitor();
  await h.visit(visitor, `${meeting}/besluiten`);
  await visitor.getByText('De werkgroep start een proefproject in drie ziekenhuizen.').waitFor();
  await h.audit(visitor, 'decision list');
  const listPdf = await visitor.getByRole('link', { name: 'Besluitenlijst als PDF' }).getAttribute('href');
  const listRes = await visitor.context().request.get(listPdf);
  assert.equal(listRes.status(), 200);
  assert.equal(listRes.headers()['content-type'], 'application/pdf');
  await h.visit(visitor, '/beslissingen');
  await h.audit(visitor, 'register');
  await visitor.context().close();
  await sec.context().close();
});
