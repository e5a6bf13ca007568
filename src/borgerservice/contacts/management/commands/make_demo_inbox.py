"""File demo messages in the inbox of written inquiries (DEMO=1 only).

About twenty made-up inquiries in the styles people write: short and long, Danish and
English, without æøå, an email with a quoted earlier reply, a scanned letter with OCR
errors, one that is not for the municipality. They go through ``inbound_message_receive``
like real mail, so the active triage model classifies them: the confident ones become work
items (with the department catch-all queues of ``work_demo``), the rest wait in the triage
queue. Each has a fixed idempotency key, so running the command again files nothing twice.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from borgerservice.citizens.models import Citizen
from borgerservice.contacts.inbox import MessageInput, inbound_message_receive
from borgerservice.contacts.models import InboundMessage

# key, kind, subject, body, sender name, sender email, minutes ago, from a demo citizen
MESSAGES = (
    (
        "pas-mistet",
        "email",
        "Mistet pas",
        "Hej\n\nJeg har mistet mit pas i weekenden og skal rejse om tre uger. "
        "Hvordan bestiller jeg et nyt, og kan det nå at komme?\n\nVenlig hilsen\nJonas",
        "Jonas Madsen",
        "jonas.madsen@example.dk",
        600,
        False,
    ),
    (
        "sundhedskort",
        "web",
        "",
        "Jeg har ikke fået mit nye sundhedskort efter jeg flyttede. Hvad gør jeg?",
        "",
        "",
        540,
        True,
    ),
    (
        "flytning",
        "email",
        "Flytning",
        "Vi flytter sammen 1. februar. Skal vi melde flytning hver for sig, "
        "og hvad med vores datter på 4 år?",
        "Sara Nielsen",
        "sara.n@example.dk",
        480,
        False,
    ),
    (
        "boligstotte-uden-aeoeaa",
        "email",
        "boligstotte",
        "hej jeg vil gerne soge om boligstotte til min lejlighed paa norrebro, "
        "hvad skal jeg bruge af papirer? mvh ali",
        "Ali",
        "ali.k@example.dk",
        470,
        False,
    ),
    (
        "folkepension",
        "web",
        "Folkepension",
        "Hvornaar faar jeg min folkepension udbetalt, og kan jeg udskyde den?",
        "",
        "",
        420,
        True,
    ),
    (
        "english-moving",
        "email",
        "Moving to Copenhagen",
        "Hello, I am moving to Copenhagen from Germany for work next month. "
        "How do I get a CPR number and a doctor?\n\nBest regards,\nAnna Becker",
        "Anna Becker",
        "anna.becker@example.de",
        400,
        False,
    ),
    (
        "english-parking",
        "email",
        "Parking fine",
        "I got a parking fine on Vesterbrogade but I had a valid resident permit. "
        "I would like to complain.",
        "Tom Hughes",
        "tom.hughes@example.co.uk",
        380,
        False,
    ),
    (
        "svar-med-citat",
        "email",
        "SV: Din henvendelse om friplads",
        "Tak for svaret. Vi har nu sendt lønsedlerne, men har ikke hørt mere.\n\n"
        "Med venlig hilsen\nMaria\n\n"
        "-----Oprindelig meddelelse-----\n"
        "Fra: Borgerservice\nSendt: 3. november\n"
        "> Kære Maria\n> Du kan søge økonomisk friplads til børnehaven på nettet.\n"
        "> Husk at vedlægge dokumentation for husstandens indkomst.",
        "Maria Jensen",
        "maria.jensen@example.dk",
        360,
        False,
    ),
    (
        "scannet-brev",
        "letter",
        "",
        "Kebenhavns Kommune\nBorgerservice\n\nAnsegning om frip1ads i bornehaven til min "
        "søn. Vi har lav indkomst efter at jeg mistede mit arbejde.\n\nMed venlig h1lsen\n"
        "Kirsten Poulsen\nAmagerbrogade 1OO, 23OO Kbh S",
        "Kirsten Poulsen",
        "",
        340,
        False,
    ),
    (
        "affald",
        "web",
        "Skrald",
        "Skraldet er ikke blevet hentet i vores gård i to uger. Det lugter forfærdeligt.",
        "",
        "",
        300,
        True,
    ),
    (
        "kort-uklar",
        "web",
        "",
        "Hjælp, jeg forstår ikke brevet jeg har fået.",
        "",
        "",
        280,
        True,
    ),
    (
        "navneaendring",
        "email",
        "Navneændring efter bryllup",
        "Jeg er blevet gift og vil gerne tage min mands efternavn. Hvordan søger jeg, "
        "og koster det noget?",
        "Line Holm",
        "line.holm@example.dk",
        240,
        False,
    ),
    (
        "laege-skift",
        "web",
        "Skifte læge",
        "Jeg vil gerne skifte til en læge tættere på hvor jeg bor nu.",
        "",
        "",
        200,
        True,
    ),
    (
        "koerekort",
        "email",
        "Kørekort fornyelse",
        "Mit kørekort udløber snart. Skal jeg have en lægeerklæring når jeg er over 75?",
        "Erik Sørensen",
        "erik.s@example.dk",
        180,
        False,
    ),
    (
        "spam",
        "email",
        "You have won!!!",
        "Congratulations, you have won 1.000.000 EUR. Send your bank details to claim.",
        "Prize Office",
        "winner@example.com",
        150,
        False,
    ),
    (
        "ikke-kommunen",
        "email",
        "Min pakke er ikke kommet",
        "Jeg har bestilt en jakke på nettet for tre uger siden og pakken er ikke kommet.",
        "Peter",
        "peter@example.dk",
        120,
        False,
    ),
    (
        "english-no-subject",
        "web",
        "",
        "Can I book an appointment at the citizen service centre to renew my health "
        "insurance card? I lost the old one.",
        "",
        "",
        90,
        True,
    ),
    (
        "boligstotte-lang",
        "email",
        "Spørgsmål om boligstøtte og ændret indkomst",
        "Kære Borgerservice\n\nJeg modtager boligstøtte, men min indkomst er steget, "
        "fordi jeg har fået fast arbejde fra næste måned. Skal jeg selv sige det til "
        "jer, eller sker det automatisk? Jeg vil nødig skulle betale tilbage senere.\n\n"
        "På forhånd tak\nHanne",
        "Hanne Larsen",
        "hanne.larsen@example.dk",
        60,
        False,
    ),
    (
        "sygesikring-gruppe",
        "web",
        "Gruppe 2",
        "Hvordan skifter jeg fra sygesikringsgruppe 1 til gruppe 2?",
        "",
        "",
        30,
        True,
    ),
    (
        "udlandet",
        "email",
        "Flytter til udlandet",
        "Jeg flytter til Spanien i et år. Hvad skal jeg gøre med folkeregistret og "
        "mit sundhedskort?",
        "Mikkel Berg",
        "mikkel.berg@example.dk",
        10,
        False,
    ),
)


class Command(BaseCommand):
    help = "File about twenty demo messages in the inbox of written inquiries (DEMO=1 only)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="only when the inbox has no messages"
        )

    def handle(self, *args, **options):
        if not settings.DEMO:
            raise CommandError("Refusing to create demo messages: DEMO is not enabled.")
        if options["if_empty"] and InboundMessage.objects.exists():
            self.stdout.write("the inbox has messages already; no demo messages filed")
            return
        citizens = list(Citizen.objects.filter(deceased_on__isnull=True).order_by("pk")[:10])
        now = timezone.now()
        made = 0
        for n, (key, kind, subject, body, name, email, minutes, known) in enumerate(MESSAGES):
            citizen = citizens[n % len(citizens)] if known and citizens else None
            data = MessageInput(
                kind=kind,
                subject=subject,
                body=body,
                sender_name=citizen.full_name if citizen else name,
                sender_email=email,
                citizen_id=citizen.pk if citizen else None,
                received_at=now - timedelta(minutes=minutes),
            )
            _message, created = inbound_message_receive(
                data=data, idempotency_key=f"demo-inbox-{key}"
            )
            made += created
        states = dict.fromkeys(InboundMessage.State.values, 0)
        for state in InboundMessage.objects.values_list("state", flat=True):
            states[state] += 1
        self.stdout.write(
            f"demo inbox: {made} new messages; {states['routed']} routed automatically, "
            f"{states['triage']} waiting for triage"
        )
