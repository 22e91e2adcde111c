// Email templates, French and English, each as HTML and plain text. Every value put in the
// HTML is escaped; links are absolute, built on PUBLIC_SITE_URL.
export type TemplateName =
  | 'verify_email'
  | 'signup_exists'
  | 'reset_password'
  | 'magic_link'
  | 'confirm_sign_in'
  | 'account_inactive'
  | 'invitation'
  | 'enquiry_received'
  | 'new_enquiry'
  | 'file_assigned'
  | 'offers_proposed'
  | 'proposal_answered'
  | 'stay_planned'
  | 'message_for_family'
  | 'message_for_agent'
  | 'file_transferred'
  | 'offer_submitted'
  | 'offer_approved'
  | 'offer_changes_requested'
  | 'offer_rejected'
  | 'offer_confirm_reminder'
  | 'fibre_alert_confirm'
  | 'fibre_arrived'
  | 'introduction_for_family'
  | 'introduction_for_ambassador'
  | 'introduction_contacts_for_family'
  | 'introduction_contacts_for_ambassador'
  | 'story_submitted'
  | 'story_approved'
  | 'story_changes_requested'
  | 'story_rejected';
export type MailLocale = 'fr' | 'en';

export interface RenderedMail {
  subject: string;
  html: string;
  text: string;
}

interface Copy {
  subject: string;
  greeting: string;
  body: string;
  action: string;
  footer: string;
  /** The one-click link that ends what the message is about (params.unsubscribeUrl). */
  unsubscribe?: string;
}

const copies: Record<TemplateName, Record<MailLocale, Copy>> = {
  introduction_for_family: {
    fr: {
      subject: 'Échanger avec une famille installée sur le territoire ?',
      greeting: 'Bonjour {name},',
      body: 'Votre conseiller vous propose d’échanger avec {ambassador}, une famille ambassadrice déjà installée sur le territoire. {note} Si vous acceptez et qu’elle accepte aussi, chacun recevra les coordonnées de l’autre par email ; rien n’est transmis avant.',
      action: 'Répondre',
      footer: 'Ce lien fonctionne une seule fois, pendant 30 jours. Sans réponse de votre part, rien n’est transmis.',
    },
    en: {
      subject: 'Talk with a family already settled in the territory?',
      greeting: 'Hello {name},',
      body: 'Your adviser suggests you talk with {ambassador}, an ambassador family already settled in the territory. {note} If you accept and they accept too, each of you will receive the other’s contact details by email; nothing is shared before.',
      action: 'Answer',
      footer: 'This link works once, for 30 days. Without your answer, nothing is shared.',
    },
  },
  introduction_for_ambassador: {
    fr: {
      subject: 'Une famille aimerait échanger avec vous',
      greeting: 'Bonjour {name},',
      body: 'L’équipe du territoire vous propose d’échanger avec une famille qui prépare son installation. {note} Si vous acceptez et qu’elle accepte aussi, chacun recevra les coordonnées de l’autre par email ; rien n’est transmis avant.',
      action: 'Répondre sur mon compte',
      footer:
        'Vous recevez ce message parce que vous êtes ambassadeur de Campagne Connectée. Vous pouvez faire une pause ou arrêter à tout moment depuis votre compte.',
    },
    en: {
      subject: 'A family would like to talk with you',
      greeting: 'Hello {name},',
      body: 'The territory’s team suggests you talk with a family preparing its move. {note} If you accept and they accept too, each of you will receive the other’s contact details by email; nothing is shared before.',
      action: 'Answer in my account',
      footer:
        'You receive this message because you are a Campagne Connectée ambassador. You can pause or stop at any time from your account.',
    },
  },
  introduction_contacts_for_family: {
    fr: {
      subject: 'Mise en relation acceptée : les coordonnées de {ambassador}',
      greeting: 'Bonjour {name},',
      body: '{ambassador} a accepté d’échanger avec vous. Voici ses coordonnées, telles qu’elle a choisi de les partager : {contacts}',
      action: 'Voir mon compte',
      footer: 'Nous lui avons transmis vos nom, adresse email et téléphone. Bon échange !',
    },
    en: {
      subject: 'Introduction accepted: {ambassador}’s contact details',
      greeting: 'Hello {name},',
      body: '{ambassador} has agreed to talk with you. Here are their contact details, as they chose to share them: {contacts}',
      action: 'See my account',
      footer: 'We have given them your name, email address and phone. Enjoy the conversation!',
    },
  },
  introduction_contacts_for_ambassador: {
    fr: {
      subject: 'Mise en relation acceptée : les coordonnées de {family}',
      greeting: 'Bonjour {name},',
      body: 'La famille {family} a accepté d’échanger avec vous. Voici ses coordonnées : {contacts}',
      action: 'Voir mon compte',
      footer: 'Nous lui avons transmis les coordonnées que vous avez choisi de partager. Merci pour votre accueil !',
    },
    en: {
      subject: 'Introduction accepted: {family}’s contact details',
      greeting: 'Hello {name},',
      body: 'The {family} family has agreed to talk with you. Here are their contact details: {contacts}',
      action: 'See my account',
      footer: 'We have given them the contact details you chose to share. Thank you for your welcome!',
    },
  },
  story_submitted: {
    fr: {
      subject: 'Récit d’ambassadeur à relire : {story}',
      greeting: 'Bonjour {name},',
      body: '{ambassador}, ambassadeur de votre territoire, propose ou modifie son récit « {story} ». Il n’est pas publié avant votre relecture.',
      action: 'Relire le récit',
      footer: 'Campagne Connectée — espace des agents.',
    },
    en: {
      subject: 'Ambassador story to review: {story}',
      greeting: 'Hello {name},',
      body: '{ambassador}, an ambassador of your territory, proposes or edits their story “{story}”. It is not published before your review.',
      action: 'Review the story',
      footer: 'Campagne Connectée — staff area.',
    },
  },
  story_approved: {
    fr: {
      subject: 'Votre récit « {story} » est publié',
      greeting: 'Bonjour {name},',
      body: 'L’équipe du territoire a validé votre récit : il apparaît maintenant sur la page du territoire, avec votre prénom, votre commune et votre métier si vous l’avez partagé. Jamais vos coordonnées.',
      action: 'Voir mon compte',
      footer: 'Vous recevez ce message parce que vous êtes ambassadeur de Campagne Connectée.',
    },
    en: {
      subject: 'Your story “{story}” is published',
      greeting: 'Hello {name},',
      body: 'The territory’s team approved your story: it now appears on the territory’s page, with your first name, your commune and your profession if you shared it. Never your contact details.',
      action: 'See my account',
      footer: 'You receive this message because you are a Campagne Connectée ambassador.',
    },
  },
  story_changes_requested: {
    fr: {
      subject: 'Une modification est demandée pour votre récit « {story} »',
      greeting: 'Bonjour {name},',
      body: 'L’équipe du territoire vous demande une modification avant publication : « {note} »',
      action: 'Modifier mon récit',
      footer: 'Vous recevez ce message parce que vous êtes ambassadeur de Campagne Connectée.',
    },
    en: {
      subject: 'A change is requested for your story “{story}”',
      greeting: 'Hello {name},',
      body: 'The territory’s team asks for a change before publication: “{note}”',
      action: 'Edit my story',
      footer: 'You receive this message because you are a Campagne Connectée ambassador.',
    },
  },
  story_rejected: {
    fr: {
      subject: 'Votre récit « {story} » ne sera pas publié',
      greeting: 'Bonjour {name},',
      body: 'L’équipe du territoire ne publiera pas votre récit : « {note} »',
      action: 'Voir mon compte',
      footer: 'Vous recevez ce message parce que vous êtes ambassadeur de Campagne Connectée.',
    },
    en: {
      subject: 'Your story “{story}” will not be published',
      greeting: 'Hello {name},',
      body: 'The territory’s team will not publish your story: “{note}”',
      action: 'See my account',
      footer: 'You receive this message because you are a Campagne Connectée ambassador.',
    },
  },
  fibre_alert_confirm: {
    fr: {
      subject: 'Confirmez votre alerte fibre pour {commune}',
      greeting: 'Bonjour,',
      body: 'Vous avez demandé à être prévenu quand la fibre arrive à {commune}. Confirmez d’un clic : nous vous écrirons une seule fois, quand les chiffres de l’ARCEP atteindront le seuil choisi.',
      action: 'Confirmer l’alerte',
      footer: 'Si vous n’avez rien demandé, ignorez ce message : sans confirmation, aucune alerte ne sera envoyée.',
    },
    en: {
      subject: 'Confirm your fibre alert for {commune}',
      greeting: 'Hello,',
      body: 'You asked to be told when fibre arrives in {commune}. Confirm with one click: we will write once, when ARCEP’s figures reach the threshold you chose.',
      action: 'Confirm the alert',
      footer: 'If you did not ask for this, ignore this message: without confirmation, no alert is sent.',
    },
  },
  fibre_arrived: {
    fr: {
      subject: 'La fibre arrive à {commune}',
      greeting: 'Bonjour,',
      body: 'Selon les derniers chiffres de l’ARCEP, {share} des locaux de {commune} sont désormais raccordables à la fibre : le seuil de votre alerte est atteint. Découvrez la commune, ses offres et ses tiers-lieux.',
      action: 'Voir la commune',
      footer:
        'Vous recevez ce message parce que vous avez demandé une alerte fibre sur Campagne Connectée. C’était la seule : l’alerte est terminée.',
      unsubscribe: 'Supprimer cette alerte',
    },
    en: {
      subject: 'Fibre is arriving in {commune}',
      greeting: 'Hello,',
      body: 'According to ARCEP’s latest figures, {share} of premises in {commune} can now get fibre: your alert’s threshold is reached. See the commune, its offers and its tiers-lieux.',
      action: 'See the commune',
      footer:
        'You receive this message because you asked for a fibre alert on Campagne Connectée. It was the only one: the alert is over.',
      unsubscribe: 'Delete this alert',
    },
  },
  offer_submitted: {
    fr: {
      subject: 'Offre à modérer : {offer}',
      greeting: 'Bonjour {name},',
      body: '{owner} propose « {offer} » ({commune}). Elle attend votre relecture dans la file de modération.',
      action: 'Relire l’offre',
      footer: 'Campagne Connectée — espace des agents.',
    },
    en: {
      subject: 'Offer to review: {offer}',
      greeting: 'Hello {name},',
      body: '{owner} proposes “{offer}” ({commune}). It awaits your review in the moderation queue.',
      action: 'Review the offer',
      footer: 'Campagne Connectée — agents’ area.',
    },
  },
  offer_approved: {
    fr: {
      subject: 'Votre offre « {offer} » est en ligne',
      greeting: 'Bonjour {name},',
      body: 'L’équipe du territoire a validé « {offer} ». Les familles la voient désormais dans le catalogue ; leurs demandes passent par l’agent qui les accompagne.',
      action: 'Voir mes offres',
      footer: 'Vous recevez ce message parce que vous proposez une offre sur Campagne Connectée.',
    },
    en: {
      subject: 'Your offer “{offer}” is online',
      greeting: 'Hello {name},',
      body: 'The territory’s team approved “{offer}”. Families now see it in the catalogue; their enquiries go through the agent who accompanies them.',
      action: 'See my offers',
      footer: 'You receive this message because you offer a place on Campagne Connectée.',
    },
  },
  offer_changes_requested: {
    fr: {
      subject: 'Une modification est demandée pour « {offer} »',
      greeting: 'Bonjour {name},',
      body: 'L’équipe du territoire vous demande une modification avant publication : « {note} »',
      action: 'Modifier mon offre',
      footer: 'Vous recevez ce message parce que vous proposez une offre sur Campagne Connectée.',
    },
    en: {
      subject: 'A change is requested for “{offer}”',
      greeting: 'Hello {name},',
      body: 'The territory’s team asks for a change before publication: “{note}”',
      action: 'Edit my offer',
      footer: 'You receive this message because you offer a place on Campagne Connectée.',
    },
  },
  offer_rejected: {
    fr: {
      subject: 'Votre proposition « {offer} » n’a pas été retenue',
      greeting: 'Bonjour {name},',
      body: 'L’équipe du territoire n’a pas retenu votre proposition, pour la raison suivante : « {note} »',
      action: 'Voir mes offres',
      footer: 'Vous recevez ce message parce que vous proposez une offre sur Campagne Connectée.',
    },
    en: {
      subject: 'Your proposal “{offer}” was not accepted',
      greeting: 'Hello {name},',
      body: 'The territory’s team did not accept your proposal, for this reason: “{note}”',
      action: 'See my offers',
      footer: 'You receive this message because you offer a place on Campagne Connectée.',
    },
  },
  offer_confirm_reminder: {
    fr: {
      subject: '« {offer} » est-elle toujours disponible ?',
      greeting: 'Bonjour {name},',
      body: 'Vous n’avez pas confirmé « {offer} » depuis {days} jours. Un clic suffit pour la garder en ligne ; sans confirmation, elle quittera le catalogue dans {left} jours.',
      action: 'Confirmer la disponibilité',
      footer: 'Vous recevez ce message parce que vous proposez une offre sur Campagne Connectée.',
    },
    en: {
      subject: 'Is “{offer}” still available?',
      greeting: 'Hello {name},',
      body: 'You have not confirmed “{offer}” for {days} days. One click keeps it online; without confirmation, it leaves the catalogue in {left} days.',
      action: 'Confirm availability',
      footer: 'You receive this message because you offer a place on Campagne Connectée.',
    },
  },
  offers_proposed: {
    fr: {
      subject: 'Votre agent vous propose {count}',
      greeting: 'Bonjour {name},',
      body: '{agent} a sélectionné pour vous {count} : {titles}. Dites-lui ce qui vous plaît depuis votre espace.',
      action: 'Voir les propositions',
      footer: 'Vous recevez ce message parce que vous avez déposé un projet d’installation.',
    },
    en: {
      subject: 'Your agent suggests {count}',
      greeting: 'Hello {name},',
      body: '{agent} has picked {count} for you: {titles}. Tell them what you like from your account.',
      action: 'See the proposals',
      footer: 'You receive this message because you filed a relocation project.',
    },
  },
  proposal_answered: {
    fr: {
      subject: '{family} a répondu à une proposition',
      greeting: 'Bonjour {name},',
      body: '{family} a {answer} « {offer} ». {comment}',
      action: 'Ouvrir le dossier',
      footer: 'Campagne Connectée — espace des agents.',
    },
    en: {
      subject: '{family} answered a proposal',
      greeting: 'Hello {name},',
      body: '{family} {answer} “{offer}”. {comment}',
      action: 'Open the file',
      footer: 'Campagne Connectée — agents’ area.',
    },
  },
  stay_planned: {
    fr: {
      subject: 'Votre séjour de découverte du {start} au {end}',
      greeting: 'Bonjour {name},',
      body: '{agent} a préparé votre séjour de découverte du {start} au {end}. À visiter : {places}.',
      action: 'Voir le programme',
      footer: 'Vous recevez ce message parce que vous avez déposé un projet d’installation.',
    },
    en: {
      subject: 'Your discovery stay from {start} to {end}',
      greeting: 'Hello {name},',
      body: '{agent} has planned your discovery stay from {start} to {end}. To visit: {places}.',
      action: 'See the programme',
      footer: 'You receive this message because you filed a relocation project.',
    },
  },
  message_for_family: {
    fr: {
      subject: 'Nouveau message de {agent}',
      greeting: 'Bonjour {name},',
      body: '{agent} vous a écrit au sujet de votre projet d’installation. Lisez-le et répondez depuis votre espace.',
      action: 'Lire le message',
      footer: 'Vous recevez ce message parce que vous avez déposé un projet d’installation.',
    },
    en: {
      subject: 'New message from {agent}',
      greeting: 'Hello {name},',
      body: '{agent} has written to you about your relocation project. Read it and answer from your account.',
      action: 'Read the message',
      footer: 'You receive this message because you filed a relocation project.',
    },
  },
  message_for_agent: {
    fr: {
      subject: 'Message de {family}',
      greeting: 'Bonjour {name},',
      body: '{family} vous a écrit depuis son espace.',
      action: 'Ouvrir le dossier',
      footer: 'Campagne Connectée — espace des agents.',
    },
    en: {
      subject: 'Message from {family}',
      greeting: 'Hello {name},',
      body: '{family} has written to you from their account.',
      action: 'Open the file',
      footer: 'Campagne Connectée — agents’ area.',
    },
  },
  file_transferred: {
    fr: {
      subject: 'Un dossier arrive sur votre territoire : {family}',
      greeting: 'Bonjour {name},',
      body: '{by} a transféré le dossier de {family} vers le territoire {territory}, avec l’accord de la famille. Son historique l’accompagne.',
      action: 'Ouvrir le dossier',
      footer: 'Campagne Connectée — espace des agents.',
    },
    en: {
      subject: 'A file moves to your territory: {family}',
      greeting: 'Hello {name},',
      body: '{by} has moved the file of {family} to {territory}, with the family’s consent. Its history comes with it.',
      action: 'Open the file',
      footer: 'Campagne Connectée — agents’ area.',
    },
  },
  file_assigned: {
    fr: {
      subject: 'Un dossier vous est confié : {family}',
      greeting: 'Bonjour {name},',
      body: '{by} vous a confié le dossier de {family}.',
      action: 'Ouvrir le dossier',
      footer: 'Campagne Connectée — espace des agents.',
    },
    en: {
      subject: 'A file has been assigned to you: {family}',
      greeting: 'Hello {name},',
      body: '{by} has assigned the file of {family} to you.',
      action: 'Open the file',
      footer: 'Campagne Connectée — agents’ area.',
    },
  },
  enquiry_received: {
    fr: {
      subject: 'Nous avons bien reçu votre projet d’installation',
      greeting: 'Bonjour {name},',
      body: 'Merci pour votre projet. Un agent local du territoire va l’étudier et vous contacter. Créez votre compte pour suivre votre dossier et échanger avec lui.',
      action: 'Créer mon compte',
      footer: 'Vous recevez ce message parce que ce formulaire a été rempli avec votre adresse.',
    },
    en: {
      subject: 'We have received your relocation project',
      greeting: 'Hello {name},',
      body: 'Thank you for your project. A local agent of the territory will study it and contact you. Create your account to follow your file and talk with them.',
      action: 'Create my account',
      footer: 'You receive this message because this form was filled in with your address.',
    },
  },
  new_enquiry: {
    fr: {
      subject: 'Nouveau projet d’installation : {family}',
      greeting: 'Bonjour {name},',
      body: 'Une nouvelle famille a déposé un projet pour le territoire {territories}.',
      action: 'Ouvrir le dossier',
      footer: 'Campagne Connectée — espace des agents.',
    },
    en: {
      subject: 'New relocation project: {family}',
      greeting: 'Hello {name},',
      body: 'A new family has filed a project for {territories}.',
      action: 'Open the file',
      footer: 'Campagne Connectée — agents’ area.',
    },
  },
  verify_email: {
    fr: {
      subject: 'Confirmez votre adresse email',
      greeting: 'Bonjour {name},',
      body: 'Bienvenue sur Campagne Connectée. Confirmez votre adresse pour activer votre compte. Ce lien est valable 48 heures.',
      action: 'Confirmer mon adresse',
      footer: 'Si vous n’avez pas créé de compte, ignorez ce message.',
    },
    en: {
      subject: 'Confirm your email address',
      greeting: 'Hello {name},',
      body: 'Welcome to Campagne Connectée. Confirm your address to activate your account. This link is valid for 48 hours.',
      action: 'Confirm my address',
      footer: 'If you did not create an account, ignore this message.',
    },
  },
  signup_exists: {
    fr: {
      subject: 'Vous avez déjà un compte',
      greeting: 'Bonjour {name},',
      body: 'Quelqu’un a voulu créer un compte avec votre adresse, qui en a déjà un. Si c’était vous, connectez-vous ou choisissez un nouveau mot de passe.',
      action: 'Choisir un nouveau mot de passe',
      footer: 'Si ce n’était pas vous, ignorez ce message : votre compte n’a pas changé.',
    },
    en: {
      subject: 'You already have an account',
      greeting: 'Hello {name},',
      body: 'Someone tried to create an account with your address, which already has one. If it was you, sign in or choose a new password.',
      action: 'Choose a new password',
      footer: 'If it was not you, ignore this message: your account has not changed.',
    },
  },
  reset_password: {
    fr: {
      subject: 'Choisissez un nouveau mot de passe',
      greeting: 'Bonjour {name},',
      body: 'Vous avez demandé à changer votre mot de passe. Ce lien est valable une heure et ne sert qu’une fois ; il déconnectera vos autres sessions.',
      action: 'Choisir un nouveau mot de passe',
      footer: 'Si vous n’avez rien demandé, ignorez ce message : votre mot de passe n’a pas changé.',
    },
    en: {
      subject: 'Choose a new password',
      greeting: 'Hello {name},',
      body: 'You asked to change your password. This link is valid for one hour, works once, and signs out your other sessions.',
      action: 'Choose a new password',
      footer: 'If you did not ask for this, ignore this message: your password has not changed.',
    },
  },
  magic_link: {
    fr: {
      subject: 'Votre lien de connexion',
      greeting: 'Bonjour {name},',
      body: 'Voici votre lien pour vous connecter sans mot de passe. Il est valable 15 minutes et ne sert qu’une fois.',
      action: 'Me connecter',
      footer: 'Si vous n’avez rien demandé, ignorez ce message.',
    },
    en: {
      subject: 'Your sign-in link',
      greeting: 'Hello {name},',
      body: 'Here is your link to sign in without a password. It is valid for 15 minutes and works once.',
      action: 'Sign me in',
      footer: 'If you did not ask for this, ignore this message.',
    },
  },
  confirm_sign_in: {
    fr: {
      subject: 'Confirmez votre connexion',
      greeting: 'Bonjour {name},',
      body: 'Votre mot de passe vient d’être saisi correctement, mais de nombreux essais de mot de passe erronés ont visé votre compte. Pour votre sécurité, confirmez cette connexion avec ce lien, valable 15 minutes et utilisable une seule fois.',
      action: 'Confirmer ma connexion',
      footer:
        'Si ce n’était pas vous, votre mot de passe est connu : changez-le dès maintenant avec « Mot de passe oublié ».',
    },
    en: {
      subject: 'Confirm your sign-in',
      greeting: 'Hello {name},',
      body: 'Your password has just been entered correctly, but many wrong passwords have been tried on your account. For your safety, confirm this sign-in with this link, valid for 15 minutes and usable once.',
      action: 'Confirm my sign-in',
      footer: 'If this was not you, your password is known: change it now with “Forgot password”.',
    },
  },
  account_inactive: {
    fr: {
      subject: 'Votre compte Campagne Connectée va être supprimé',
      greeting: 'Bonjour {name},',
      body: 'Vous n’avez pas utilisé votre compte depuis près de trois ans. Comme l’indique notre politique de confidentialité, il sera supprimé le {date}, avec vos favoris, vos recherches enregistrées et vos alertes. Pour le garder, il suffit de vous connecter avant cette date.',
      action: 'Me connecter pour garder mon compte',
      footer: 'Si vous ne souhaitez plus l’utiliser, vous n’avez rien à faire.',
    },
    en: {
      subject: 'Your Campagne Connectée account is about to be deleted',
      greeting: 'Hello {name},',
      body: 'You have not used your account for nearly three years. As our privacy notice says, it will be deleted on {date}, with your favourites, saved searches and alerts. To keep it, simply sign in before that date.',
      action: 'Sign in to keep my account',
      footer: 'If you no longer wish to use it, there is nothing to do.',
    },
  },
  invitation: {
    fr: {
      subject: 'Invitation à rejoindre Campagne Connectée',
      greeting: 'Bonjour {name},',
      body: '{inviter} vous invite à accompagner les familles du territoire {territories} sur Campagne Connectée. Choisissez votre mot de passe pour activer votre compte ; ce lien est valable 7 jours.',
      action: 'Activer mon compte',
      footer: 'Si vous ne vous attendiez pas à cette invitation, ignorez ce message.',
    },
    en: {
      subject: 'Invitation to join Campagne Connectée',
      greeting: 'Hello {name},',
      body: '{inviter} invites you to accompany the families of {territories} on Campagne Connectée. Choose your password to activate your account; this link is valid for 7 days.',
      action: 'Activate my account',
      footer: 'If you did not expect this invitation, ignore this message.',
    },
  },
};

export const templateNames = Object.keys(copies) as TemplateName[];

export const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const fill = (template: string, params: Record<string, string>, escape: (s: string) => string) =>
  template.replace(/\{(\w+)\}/g, (_m, k: string) => escape(params[k] ?? ''));

export function renderMail(
  name: TemplateName,
  locale: MailLocale,
  params: Record<string, string> & { url: string },
): RenderedMail {
  const copy = copies[name][locale];
  const unsubscribe = copy.unsubscribe ? params.unsubscribeUrl : undefined;
  const plain = (s: string) => fill(s, params, (v) => v);
  const html = (s: string) => fill(escapeHtml(s), params, escapeHtml);
  // "Lien : https://…" in French (a non-breaking space before the colon), "Link: https://…" in English.
  const colon = locale === 'fr' ? ' : ' : ': ';
  return {
    // A subject is one line, whatever was typed into the values it quotes.
    subject: plain(copy.subject)
      .replace(/[^\S\u00a0\u202f]+/g, ' ')
      .trim(),
    text: `${plain(copy.greeting)}\n\n${plain(copy.body)}\n\n${plain(copy.action)}${colon}${params.url}\n\n${plain(copy.footer)}\n${unsubscribe ? `\n${plain(copy.unsubscribe!)}${colon}${unsubscribe}\n` : ''}\n— Campagne Connectée\n`,
    html: `<!doctype html><html lang="${locale}"><body style="font-family:system-ui,sans-serif;color:#1c2321;line-height:1.5;max-width:36rem;margin:auto;padding:1rem">
<p>${html(copy.greeting)}</p><p>${html(copy.body)}</p>
<p><a href="${escapeHtml(params.url)}" style="display:inline-block;background:#1f5f4a;color:#fff;padding:.75rem 1.25rem;border-radius:4px;text-decoration:none;font-weight:600">${html(copy.action)}</a></p>
<p style="font-size:.875rem;color:#4d5753">${escapeHtml(params.url)}</p><p style="font-size:.875rem;color:#4d5753">${html(copy.footer)}</p>${unsubscribe ? `<p style="font-size:.875rem"><a href="${escapeHtml(unsubscribe)}">${html(copy.unsubscribe!)}</a></p>` : ''}
<p>— Campagne Connectée</p></body></html>`,
  };
}

/**
 * The contact details an ambassador or a family shares once both accepted, as one line:
 * only what is given (decision 024).
 */
export function contactLines(
  locale: MailLocale,
  c: { email: string | null; phone: string | null; video: boolean; bestTimes: string | null },
): string {
  const colon = locale === 'fr' ? '\u00a0: ' : ': ';
  const words =
    locale === 'fr'
      ? { email: 'email', phone: 'téléphone', video: 'appel vidéo bienvenu', times: 'meilleurs moments' }
      : { email: 'email', phone: 'phone', video: 'video calls welcome', times: 'best times' };
  return [
    c.email && `${words.email}${colon}${c.email}`,
    c.phone && `${words.phone}${colon}${c.phone}`,
    c.video && words.video,
    c.bestTimes && `${words.times}${colon}${c.bestTimes}`,
  ]
    .filter(Boolean)
    .join(' · ');
}
