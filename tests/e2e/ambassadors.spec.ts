// Journey of decision 024: an agent introduces a candidate family to the Gers' demo
// ambassador; the family answers through its emailed link (no account), the ambassador on
// /compte; only then does each receive the other's contact details. No page shows a contact
// before. Approved stories are on the territory page in both languages, marked with their
// language; a story is moderated from /agent/ambassadeurs. Axe on every new page.
import type { Page } from '@playwright/test';
import { expect, signInAs, test, type Portal } from './fixtures.ts';
import { checkBothWidths } from './layout-check.ts';

const AMBASSADOR = 'ambassadeur.gers@demo.test';
const AMBASSADOR_PHONE = '0612345678';

/** The emails of one template to `to`, newest first. */
async function mails(portal: Portal, to: string, template: string) {
  const rs = await portal.sql.execute({
    sql: 'SELECT text FROM outbox WHERE "to" = ? AND template = ? ORDER BY id DESC',
    args: [to, template],
  });
  return rs.rows.map((r) => String(r.text));
}

/** A new enquiry for the Gers through /projet (no account): its public id. */
async function newGersFile(page: Page, portal: Portal, email: string): Promise<string> {
  const res = await page.request.post('/projet', {
    form: {
      name: 'Famille Nouvelle',
      email,
      phone: '07 98 76 54 32',
      adults: '2',
      wishedTerritories: '32',
      consent: 'yes',
    },
    headers: { Origin: portal.url },
  });
  expect(res.status()).toBe(200);
  const rs = await portal.sql.execute({ sql: 'SELECT public_id FROM candidates WHERE email = ?', args: [email] });
  return String(rs.rows[0]!.public_id);
}

const noContact = async (page: Page, ...secrets: string[]) => {
  const html = await page.content();
  for (const s of secrets) expect(html).not.toContain(s);
};

test('an agent introduces a family to an ambassador; both accept; then both get the contacts', async ({
  browser,
  portal,
  axe,
}) => {
  test.slow();
  const email = `candidate.${Date.now()}@exemple.fr`;
  const agent = await browser.newContext({ baseURL: portal.url });
  // Axe needs scripts; the page itself has none (plain forms).
  const family = await browser.newContext({ baseURL: portal.url });
  const ambassador = await browser.newContext({ baseURL: portal.url });
  try {
    const page = await agent.newPage();
    const file = await newGersFile(page, portal, email);
    await signInAs(page, 'agent.gers@demo.test');
    await page.goto(`/agent/candidats/${file}`);
    const box = page.getByRole('region', { name: 'Mettre en relation avec un ambassadeur' });
    await box.getByRole('radio', { name: /Claire D\./ }).check();
    await box.getByLabel('Un mot aux deux familles (facultatif)').fill('Vous avez tous deux des enfants à l’école.');
    await box.getByRole('button', { name: 'Proposer la mise en relation' }).click();
    await expect(page.getByText('Mise en relation proposée')).toBeVisible();
    await expect(box.locator('[data-introduction]')).toHaveAttribute('data-status', 'pending');
    await noContact(page, AMBASSADOR, AMBASSADOR_PHONE);
    await axe(page);

    // Neither email carries the other side's contact.
    const [asked] = await mails(portal, email, 'introduction_for_family');
    expect(asked).toBeDefined();
    expect(asked).not.toContain(AMBASSADOR);
    expect(asked).not.toContain(AMBASSADOR_PHONE);
    const [toAmbassador] = await mails(portal, AMBASSADOR, 'introduction_for_ambassador');
    expect(toAmbassador).not.toContain(email);

    // The family answers through its link, without an account.
    const link = /(https?:\/\/\S*mise-en-relation\S*)/.exec(asked!)![1]!;
    const familyPage = await family.newPage();
    await familyPage.goto(link.replace(/^https?:\/\/[^/]+/, ''));
    await expect(familyPage.getByRole('heading', { level: 1 })).toHaveText('Échanger avec une famille ambassadrice');
    await expect(familyPage.getByRole('heading', { name: 'Claire D.' })).toBeVisible();
    await noContact(familyPage, AMBASSADOR, AMBASSADOR_PHONE);
    await axe(familyPage);
    await checkBothWidths(familyPage, 'ambassadors-introduction-link');
    await familyPage.getByRole('button', { name: 'Accepter l’échange' }).click();
    await expect(familyPage.getByText('Merci !')).toBeVisible();
    expect(await mails(portal, email, 'introduction_contacts_for_family')).toHaveLength(0);
    // The link worked once.
    await familyPage.goto(link.replace(/^https?:\/\/[^/]+/, ''));
    await expect(familyPage.getByText('Ce lien ne fonctionne plus')).toBeVisible();

    // The ambassador answers on /compte.
    const ambPage = await ambassador.newPage();
    await signInAs(ambPage, AMBASSADOR);
    await ambPage.goto('/compte');
    const list = ambPage.getByRole('region', { name: 'Mises en relation' });
    await expect(list).toContainText('Vous avez tous deux des enfants à l’école.');
    await noContact(ambPage, email, '0798765432', 'Famille Nouvelle');
    await axe(ambPage);
    await checkBothWidths(ambPage, 'ambassadors-account-introduction');
    await list
      .getByRole('button', { name: /Accepter l’échange/ })
      .first()
      .click();
    await expect(ambPage.getByText('Réponse enregistrée.')).toBeVisible();

    // Both accepted: each got the other's contact details.
    const [contactsForFamily] = await mails(portal, email, 'introduction_contacts_for_family');
    expect(contactsForFamily).toContain(AMBASSADOR);
    expect(contactsForFamily).toContain(AMBASSADOR_PHONE);
    const [contactsForAmbassador] = await mails(portal, AMBASSADOR, 'introduction_contacts_for_ambassador');
    expect(contactsForAmbassador).toContain(email);
    expect(contactsForAmbassador).toContain('0798765432');

    // The agent sees the state on the file, and its timeline.
    await page.goto(`/agent/candidats/${file}`);
    await expect(box.locator('[data-introduction]')).toHaveAttribute('data-status', 'accepted');
    await expect(page.getByText('Mise en relation acceptée des deux côtés')).toBeVisible();
  } finally {
    await agent.close();
    await family.close();
    await ambassador.close();
  }
});

test('approved stories are on the territory page, in both languages, with their language marked', async ({
  page,
  axe,
}) => {
  await page.goto('/territoires/32');
  const stories = page.getByRole('region', { name: 'Ils se sont installés ici' });
  const gers = stories.getByRole('article', { name: 'De Bordeaux au Gers, sans regret' });
  await expect(gers).toHaveAttribute('lang', 'fr');
  await expect(gers).toContainText('Claire D., ');
  await expect(stories).not.toContainText('@');
  await axe(page);
  await page.goto('/en/territoires/50');
  const manche = page
    .getByRole('region', { name: 'They settled here' })
    .getByRole('article', { name: 'From Amsterdam to the Cotentin coast' });
  await expect(manche).toHaveAttribute('lang', 'en');
  await axe(page);
  // A French story on the English page keeps its language.
  await page.goto('/en/territoires/32');
  await expect(page.getByRole('article', { name: 'De Bordeaux au Gers, sans regret' })).toHaveAttribute('lang', 'fr');
});

test('an ambassador edits its story; the territory’s agent asks for a change, then publishes it', async ({
  browser,
  portal,
  axe,
}) => {
  test.slow();
  const ambassador = await browser.newContext({ baseURL: portal.url });
  const agent = await browser.newContext({ baseURL: portal.url });
  try {
    const page = await ambassador.newPage();
    await signInAs(page, 'ambassadeur.manche@demo.test');
    await page.goto('/en/compte');
    const story = page.getByRole('region', { name: 'Your story' });
    await story.getByLabel('Title').fill('Our first year on the coast');
    await story.getByRole('button', { name: 'Send the new version' }).click();
    await expect(page.getByText('Your story is sent')).toBeVisible();
    await axe(page);
    // Waiting for review: off the territory page.
    const visitor = await browser.newPage({ baseURL: portal.url });
    await visitor.goto('/en/territoires/50');
    await expect(visitor.getByRole('region', { name: 'They settled here' })).toHaveCount(0);

    const back = await agent.newPage();
    await signInAs(back, 'agent.manche@demo.test');
    await back.goto('/agent/ambassadeurs');
    const pending = back.getByRole('article', { name: 'Our first year on the coast' });
    await axe(back);
    await pending.getByRole('button', { name: /Demander une modification/ }).click();
    await expect(back.getByText('Écrivez un message à l’ambassadeur')).toBeVisible();
    await pending.getByLabel('Message à l’ambassadeur').fill('Pouvez-vous nommer le tiers-lieu ?');
    await pending.getByRole('button', { name: /Demander une modification/ }).click();
    await expect(back.getByText('Modification demandée ; l’ambassadeur est prévenu.')).toBeVisible();
    const [asked] = await mails(portal, 'ambassadeur.manche@demo.test', 'story_changes_requested');
    expect(asked).toContain('Pouvez-vous nommer le tiers-lieu ?');

    // The ambassador sends a new version; the agent publishes it; it is back on the page.
    await page.goto('/en/compte');
    await story.getByLabel('Your story').fill('The tiers-lieu of Coutances gave me colleagues again.');
    await story.getByRole('button', { name: 'Send the new version' }).click();
    await back.goto('/agent/ambassadeurs');
    await pending.getByRole('button', { name: /Publier/ }).click();
    await expect(back.getByText('Récit publié ; l’ambassadeur est prévenu.')).toBeVisible();
    await visitor.goto('/en/territoires/50');
    await expect(visitor.getByRole('article', { name: 'Our first year on the coast' })).toContainText('Coutances');
  } finally {
    await ambassador.close();
    await agent.close();
  }
});

test('a refused post on /compte keeps the languages ticked; an introduction gone is said so', async ({
  page,
  portal,
}) => {
  await signInAs(page, AMBASSADOR);
  const post = (body: string) =>
    page.request.post('/compte', {
      data: body,
      headers: { Origin: portal.url, 'Content-Type': 'application/x-www-form-urlencoded' },
    });
  // No presentation: refused, and the three languages ticked come back ticked (the saved ones are two).
  const refused = await post('intent=ambassador&languages=fr&languages=en&languages=es&byEmail=yes&presentation=');
  expect(refused.status()).toBe(400);
  await page.setContent(await refused.text());
  const ticked = await page
    .getByRole('group', { name: 'Langues dans lesquelles vous pouvez échanger' })
    .getByRole('checkbox')
    .evaluateAll((boxes) =>
      boxes.filter((b) => (b as HTMLInputElement).checked).map((b) => (b as HTMLInputElement).value),
    );
  expect(ticked.sort()).toEqual(['en', 'es', 'fr']);
  // An introduction that no longer exists (the family erased its data meanwhile).
  const gone = await post('intent=introduction-ambassador&introduction=999999&answer=accepted');
  expect(gone.status()).toBe(404);
  const html = await gone.text();
  expect(html).toContain('Cet élément n’existe plus');
  expect(html).not.toContain('pas encore de projet');
});
