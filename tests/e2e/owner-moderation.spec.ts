// Journey: an owner proposes a tiers-lieu (JavaScript on: the label follows the typing), the
// Gers agent asks for a change (plain forms, JavaScript off), the owner edits from the
// emailed link, the agent approves: it is in the catalogue and in a saved search's digest.
// Then it goes unconfirmed: flagged for the agent, one click for the owner.
import { spawnSync } from 'node:child_process';
import { expect, fillOffer, lastMail, root, signInAs, test, throwawayFamily } from './fixtures.ts';

test('an owner proposes a tiers-lieu, the agent asks for a change, approves it; families find it', async ({
  browser,
  portal,
  axe,
}) => {
  test.slow();
  const stamp = Date.now();
  const title = `Coworking du propriétaire ${stamp}`;
  const email = `proprio.${stamp}@exemple.fr`;
  const owner = await browser.newContext({ baseURL: portal.url });
  const agent = await browser.newContext({ baseURL: portal.url, javaScriptEnabled: false });
  try {
    // A visitor learns how it works, and creates an owner account from there.
    const o = await owner.newPage();
    await o.goto('/proposer-une-offre');
    await expect(o.getByRole('heading', { name: 'Proposer un logement ou un tiers-lieu' })).toBeVisible();
    await axe(o);
    await o.getByRole('link', { name: 'Créer un compte propriétaire' }).click();
    await expect(
      o.getByRole('radio', { name: 'Propriétaire d’un logement ou gestionnaire d’un tiers-lieu' }),
    ).toBeChecked();
    await o.getByLabel('Nom').fill('Paul Bailleur');
    await o.getByLabel('Adresse email').fill(email);
    await o.getByLabel('Mot de passe').fill('un tiers-lieu au coeur du village');
    await o.getByRole('button', { name: 'Créer mon compte' }).click();
    await o.goto((await lastMail(portal, email)).link);
    await signInAs(o, email, 'un tiers-lieu au coeur du village');
    await expect(o.getByRole('link', { name: 'Mes offres' })).toBeVisible();

    // The proposal: the label follows the speeds as they are typed.
    await o.goto('/proposer-une-offre?type=tiers-lieu');
    // The commune field suggests the referential's communes as one types.
    await o.getByLabel('Commune', { exact: true }).pressSequentially('auch');
    await expect(o.locator('#o-commune-suggestions option[value="Auch (32000)"]')).toHaveCount(1);
    await fillOffer(o, {
      title,
      description: 'Dix postes dans l’ancienne école, un jardin.',
      typology: 'coworking',
      priceDay: '14',
      commune: 'Auch (32000)',
      bestTechnology: 'ftth',
      downloadMbps: '1000',
    });
    await expect(o.locator('[data-live-label]')).toHaveAttribute('data-live-label', 'F');
    await o.getByLabel('Débit montant').fill('400');
    await expect(o.locator('[data-live-label]')).toHaveAttribute('data-live-label', 'A');
    await expect(o.getByText('Étiquette connectivité avec ces débits : A')).toBeVisible();
    await o.getByLabel('Fibre (FTTH)').selectOption('available');
    await expect(o.getByLabel('Source des informations de connexion')).toHaveCount(0);
    await axe(o);
    await o.getByRole('button', { name: 'Envoyer à l’équipe du territoire' }).click();
    await expect(o).toHaveURL(/\/compte\/offres\?ok=proposed$/);
    await expect(o.getByRole('status')).toContainText('Votre offre est envoyée');
    const card = o.locator('[data-offer]', { hasText: title });
    await expect(card).toHaveAttribute('data-state', 'pending');
    await axe(o);
    const id = Number(await card.getAttribute('data-offer'));
    expect((await lastMail(portal, 'agent.gers@demo.test')).subject).toBe(`Offre à modérer\u00a0: ${title}`);

    // The agent finds it in the moderation queue; a request for changes needs a message.
    const a = await agent.newPage();
    await signInAs(a, 'agent.gers@demo.test');
    await a.goto('/agent');
    await a.locator('[data-queue-count="moderation"]').click();
    await a.getByRole('link', { name: title }).click();
    await expect(a.getByRole('heading', { name: 'Modération' })).toBeVisible();
    await expect(a.getByText(`Proposée par Paul Bailleur (${email})`)).toBeVisible();
    await a.getByRole('button', { name: 'Demander une modification' }).click();
    await expect(a.getByRole('alert')).toContainText('Écrivez un message au propriétaire');
    await a.getByLabel('Message au propriétaire').fill('Indiquez vos horaires d’ouverture, s’il vous plaît.');
    await a.getByRole('button', { name: 'Demander une modification' }).click();
    await expect(a.getByRole('status')).toHaveText('Demande de modification envoyée au propriétaire.');

    // The owner follows the email's link, reads the message, edits.
    const asked = await lastMail(portal, email);
    expect(asked.text).toContain('Indiquez vos horaires');
    await o.goto(asked.link);
    await expect(
      o.getByText('Message de l’équipe : « Indiquez vos horaires d’ouverture, s’il vous plaît. »'),
    ).toBeVisible();
    await expect(o.getByLabel('Titre', { exact: true })).toHaveValue(title);
    await o.getByLabel('Horaires').fill('Lun–ven 8 h 30–18 h');
    await o.getByRole('button', { name: 'Envoyer la modification' }).click();
    await expect(o.getByRole('status')).toContainText('Modification envoyée');

    // The agent approves: it is in the catalogue, its owner is told.
    await a.reload();
    await expect(a.getByText('Une nouvelle offre : relisez-la ci-dessous, puis décidez.')).toBeVisible();
    await a.getByRole('button', { name: 'Approuver et publier' }).click();
    await expect(a.getByRole('status')).toContainText('Offre approuvée');
    await expect(a.getByRole('heading', { name: 'État : Publiée' })).toBeVisible();
    await expect(a.locator('[data-event]').first()).toHaveAttribute('data-event', 'approved');
    expect((await lastMail(portal, email)).subject).toBe(`Votre offre «\u00a0${title}\u00a0» est en ligne`);
    const visitor = await browser.newContext({ baseURL: portal.url, javaScriptEnabled: false });
    const pub = await visitor.newPage();
    await pub.goto(`/offres?type=tiers-lieu&q=${encodeURIComponent(title)}`);
    await expect(pub.locator(`[data-offer-id="${id}"]`)).toBeVisible();
    await pub.goto(`/offres/${id}`);
    await expect(pub.getByText('Lun–ven 8 h 30–18 h')).toBeVisible();
    await expect(pub.getByText(email)).toHaveCount(0);
    await visitor.close();

    // A family's saved search of the Gers' tiers-lieux: the next digest lists it.
    const family = await throwawayFamily(portal, 'digest-proprio');
    await portal.sql.execute({
      sql: `INSERT INTO saved_searches (user_id, name, query, alerts, unsubscribe_token, last_digest_at, created_at)
            SELECT id, 'Tiers-lieux du Gers', 'territoire=32&type=tiers-lieu', 1, ?, ?, ? FROM users WHERE email = ?`,
      args: [
        `tok-${stamp}`,
        new Date(stamp - 86_400_000).toISOString(),
        new Date(stamp - 86_400_000).toISOString(),
        family,
      ],
    });
    const digest = spawnSync(process.execPath, ['scripts/digest.ts'], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: portal.dbUrl, PUBLIC_SITE_URL: portal.url },
      encoding: 'utf8',
    });
    expect(digest.status, digest.stderr).toBe(0);
    expect((await lastMail(portal, family)).text).toContain(title);

    // Sixty-one days without confirmation: flagged on the agent's home; one click for the owner.
    await portal.sql.execute({
      sql: 'UPDATE offers SET confirmed_at = ? WHERE id = ?',
      args: [new Date(Date.now() - 61 * 86_400_000).toISOString(), id],
    });
    await a.goto('/agent/offres?file=stale');
    await expect(a.locator(`[data-offer="${id}"]`)).toContainText('Non confirmée depuis 61 jours');
    await o.goto('/compte/offres');
    await expect(card).toContainText('Vous ne l’avez pas confirmée depuis plus de 60 jours.');
    await card.getByRole('button', { name: /Toujours disponible/ }).click();
    await expect(o.getByRole('status')).toHaveText('Merci : votre offre reste en ligne.');
    await expect(card).not.toContainText('pas confirmée');
    await a.reload();
    await expect(a.locator(`[data-offer="${id}"]`)).toHaveCount(0);
  } finally {
    await owner.close();
    await agent.close();
  }
});
