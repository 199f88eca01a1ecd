"""The codebook classifier on sentences of the kinds ACLED codes (self-written examples in the
style of ACLED notes and news wires; quality is measured on public reporting, see
bench/RESULTS.md)."""

from __future__ import annotations

import pytest

from extract.actors import ActorTable
from extract.codebook import CodebookClassifier, read_sentence
from extract.cues import CueLexicon
from extract.events import ActorHit, SentenceCoder

DEMONYMS = {"russian": "RU", "israeli": "IL", "turkish": "TR", "malian": "ML", "iraqi": "IQ",
            "malienne": "ML", "nigerian": "NG", "syrian": "SY", "somali": "SO"}


@pytest.fixture(scope="module")
def coder() -> SentenceCoder:
    return SentenceCoder(demonym_country=lambda w: DEMONYMS.get(w.lower(), ""))


@pytest.fixture(scope="module")
def table() -> ActorTable:
    return ActorTable.load()


def code(coder: SentenceCoder, table: ActorTable, text: str, language: str = "en"):
    actors = [ActorHit(m.start, m.end, m.canonical, m.inter_code, m.readings)
              for m in table.find_actors(text)]
    return coder.code(text, None, actors, language)


CASES = [
    # Battles
    ("On 12 March 2023, Al Shabaab militants attacked an SNA base in Bulo Burto.", "en",
     "Battles", "Armed clash"),
    ("Military forces clashed with JNIM militants near Boni, killing 10 militants.", "en",
     "Battles", "Armed clash"),
    ("Fighting broke out between the RSF and the Sudanese army in Omdurman.", "en",
     "Battles", "Armed clash"),
    ("M23 rebels seized control of Bunagana after clashes with the FARDC.", "en",
     "Battles", "Non-state actor overtakes territory"),
    ("The Ethiopian army recaptured the town of Lalibela from Fano militia.", "en",
     "Battles", "Government regains territory"),
    ("Des affrontements ont opposé l'armée malienne à des jihadistes près de Boni.", "fr",
     "Battles", "Armed clash"),
    ("اشتباكات عنيفة بين قوات النظام والفصائل في ريف إدلب", "ar", "Battles", "Armed clash"),
    # Explosions/Remote violence
    ("Russian forces shelled Kupiansk, killing two civilians.", "en",
     "Explosions/Remote violence", "Shelling/artillery/missile attack"),
    ("An Israeli airstrike hit a house in Rafah, killing five people.", "en",
     "Explosions/Remote violence", "Air/drone strike"),
    ("A Turkish drone struck a car near Qamishli.", "en", "Explosions/Remote violence",
     "Air/drone strike"),
    ("A roadside bomb exploded near a military patrol in Gao, wounding two soldiers.", "en",
     "Explosions/Remote violence", "Remote explosive/landmine/IED"),
    ("A suicide bomber blew himself up at a checkpoint in Mogadishu, killing 4 soldiers.",
     "en", "Explosions/Remote violence", "Suicide bomb"),
    ("Unknown assailants threw a grenade at a bar in Garissa, injuring three people.", "en",
     "Explosions/Remote violence", "Grenade"),
    ("Government forces used chlorine gas against rebels in Douma.", "en",
     "Explosions/Remote violence", "Chemical weapon"),
    ("Des civils ont été tués par l'explosion d'une mine près de Palmyre.", "fr",
     "Explosions/Remote violence", "Remote explosive/landmine/IED"),
    ("قصفت قوات النظام بلدة كفرنبل بالصواريخ", "ar", "Explosions/Remote violence",
     "Shelling/artillery/missile attack"),
    ("Two civilians were killed by a landmine explosion while grazing cattle.", "en",
     "Explosions/Remote violence", "Remote explosive/landmine/IED"),
    # Violence against civilians
    ("Unidentified gunmen abducted 12 farmers in Birnin Gwari.", "en",
     "Violence against civilians", "Abduction/forced disappearance"),
    ("Gunmen killed three villagers in Bokkos.", "en", "Violence against civilians",
     "Attack"),
    ("An RSF soldier raped a woman in El Geneina.", "en", "Violence against civilians",
     "Sexual violence"),
    ("Fulani militia attacked a village, killing 8 civilians.", "en",
     "Violence against civilians", "Attack"),
    ("Des hommes armés ont enlevé trois commerçants près de Kidal.", "fr",
     "Violence against civilians", "Abduction/forced disappearance"),
    ("Des hommes armés ont attaqué le village, tuant trois civils.", "fr",
     "Violence against civilians", "Attack"),
    ("Soldiers tortured a detainee to death in Sagaing.", "en",
     "Violence against civilians", "Attack"),
    # Protests
    ("Protesters blocked the road in Kitale over land [size=no report]", "en", "Protests",
     "Peaceful protest"),
    ("Around 200 residents protested in Nairobi against the rising cost of living.", "en",
     "Protests", "Peaceful protest"),
    ("Police dispersed protesters with tear gas in Dakar.", "en", "Protests",
     "Protest with intervention"),
    ("Security forces fired live ammunition at protesters in Khartoum, killing two.", "en",
     "Protests", "Excessive force against protesters"),
    ("Des centaines de manifestants se sont rassemblés devant le siège du gouvernorat.", "fr",
     "Protests", "Peaceful protest"),
    ("تظاهر مئات المواطنين في البصرة احتجاجا على انقطاع الكهرباء", "ar", "Protests",
     "Peaceful protest"),
    # Riots
    ("Rioters burned tyres and threw stones at police in Lahore.", "en", "Riots",
     "Violent demonstration"),
    ("Protesters torched a police station in Port Harcourt.", "en", "Riots",
     "Violent demonstration"),
    ("A mob lynched a suspected thief in Lagos.", "en", "Riots", "Mob violence"),
    # Strategic developments
    ("Police arrested 15 opposition supporters in Dakar.", "en", "Strategic developments",
     "Arrests"),
    ("The military defused an IED planted on the road near Gao.", "en",
     "Strategic developments", "Disrupted weapons use"),
    ("Israeli air defence intercepted a rocket over Sderot.", "en", "Strategic developments",
     "Disrupted weapons use"),
    ("Fulani militia looted the market and burned shops in Bokkos.", "en",
     "Strategic developments", "Looting/property destruction"),
    ("The government and the rebels signed a ceasefire agreement in Addis Ababa.", "en",
     "Strategic developments", "Agreement"),
    ("Twenty Al Shabaab militants defected to the government in Baidoa.", "en",
     "Strategic developments", "Change to group/activity"),
    ("Wagner Group established a new military base near Menaka.", "en",
     "Strategic developments", "Headquarters or base established"),
    ("The SNA withdrew from Bulo Burto, handing over the town to ATMIS.", "en",
     "Strategic developments", "Non-violent transfer of territory"),
    ("La police a interpellé neuf personnes à Mossoul.", "fr", "Strategic developments",
     "Arrests"),
    ("Security forces seized a large cache of weapons and ammunition in Kandahar.", "en",
     "Strategic developments", "Disrupted weapons use"),
    ("Ukrainian air defence shot down 12 Shahed drones over Kyiv.", "en",
     "Strategic developments", "Disrupted weapons use"),
    ("Israeli forces demolished a Palestinian house in Beit Hanina.", "en",
     "Strategic developments", "Looting/property destruction"),
    ("Around 40 Al Shabaab militants surrendered to the government in Baidoa.", "en",
     "Strategic developments", "Change to group/activity"),
    ("The two sides agreed to a ceasefire and released prisoners in an exchange.", "en",
     "Strategic developments", "Agreement"),
    ("The army imposed a curfew in the city after the unrest.", "en",
     "Strategic developments", "Other"),
    ("Al Shabaab took control of the town without a fight after the army withdrew.", "en",
     "Strategic developments", "Non-violent transfer of territory"),
    ("On 3 May 2023, Israeli settlers set fire to Palestinian-owned olive trees.", "en",
     "Strategic developments", "Looting/property destruction"),
    ("Unknown gunmen shot dead a local official in Jalalabad.", "en",
     "Violence against civilians", "Attack"),
    ("The bodies of three men with gunshot wounds were found in Kidal.", "en",
     "Violence against civilians", "Attack"),
    ("Soldiers beat and detained two journalists covering the protest.", "en", "Protests",
     "Protest with intervention"),
    ("Students staged a sit-in at the university demanding the release of detainees.", "en",
     "Protests", "Peaceful protest"),
    ("Traders went on strike in Kano over the new market levies.", "en", "Protests",
     "Peaceful protest"),
    ("Residents attacked and beat to death a man accused of theft.", "en", "Riots",
     "Mob violence"),
    ("Villagers clashed with herders over grazing land, using machetes.", "en", "Riots",
     "Mob violence"),
    ("Russian forces launched a missile strike on Odesa.", "en",
     "Explosions/Remote violence", "Shelling/artillery/missile attack"),
    ("An IED planted by JNIM exploded as a FAMa convoy passed near Gao.", "en",
     "Explosions/Remote violence", "Remote explosive/landmine/IED"),
    ("Des militaires ont abattu deux civils à un poste de contrôle.", "fr",
     "Violence against civilians", "Attack"),
    ("Des hommes armés ont incendié des maisons et pillé le bétail à Djibo.", "fr",
     "Strategic developments", "Looting/property destruction"),
    ("اعتقلت قوات الأمن خمسة متظاهرين في بغداد", "ar", "Protests",
     "Protest with intervention"),
    ("اختطف مسلحون مجهولون ثلاثة مدنيين في ريف درعا", "ar", "Violence against civilians",
     "Abduction/forced disappearance"),
]


@pytest.mark.parametrize(("text", "language", "event_type", "sub_event_type"), CASES)
def test_codebook_types(coder, table, text, language, event_type, sub_event_type):
    event = code(coder, table, text, language)
    assert event is not None, text
    assert (event.event_type.value, event.sub_event_type.value) == (event_type,
                                                                    sub_event_type), text


NOT_EVENTS = [
    ("The cyclone hit the coast and the city reported 327 deaths.", "en"),
    ("Ebola has killed 300 people in the province since January.", "en"),
    ("The worst hit state recorded 1,200 new cases of cholera.", "en"),
    ("Residents were evacuated as floods hit the district.", "en"),
    ("Three people died in a road accident on the highway.", "en"),
    ("The minister said the army could attack the rebels if talks fail.", "en"),
    ("The town has long been the scene of clashes between herders and farmers.", "en"),
    ("Le choléra a fait 12 morts dans la région, selon le ministère de la santé.", "fr"),
    ("Des inondations ont frappé la ville, faisant trois morts.", "fr"),
    ("The company reported a strike in profits this quarter.", "en"),
]


@pytest.mark.parametrize(("text", "language"), NOT_EVENTS)
def test_no_conflict_reading_no_event(coder, table, text, language):
    assert code(coder, table, text, language) is None, text


def test_parties_and_direction(coder, table):
    e = code(coder, table, "Three villagers were killed by gunmen in Bokkos.")
    assert e.actor1.role == "armed" and e.actor2.role == "civilian"
    e = code(coder, table, "Russian forces shelled Kupiansk, killing two civilians.")
    assert e.actor1.name == "Military Forces of Russia" and e.actor2.inter == 7
    e = code(coder, table, "Iraqi gendarmes shelled the town.")  # a demonym, no alias
    assert e.actor1.role == "military" and e.actor1.country == "IQ"
    e = code(coder, table, "قصفت قوات النظام بلدة كفرنبل بالصواريخ", "ar")  # verb first
    assert e.actor1 is not None and e.actor1.name == "Military Forces of Syria"
    e = code(coder, table, "Al Shabaab militants attacked an SNA base in Bulo Burto.")
    assert e.actor1.name == "Al Shabaab"  # "Al Shabaab militants" is one party


def test_outcome_only_sentence_tells_on(coder, table):
    e = code(coder, table, "3 soldiers were killed.")
    assert e is not None and e.outcome_only and e.fatalities == 3


def test_classifier_reads_cues_once():
    lexicon = CueLexicon.load()
    reading = read_sentence("Gunmen killed three villagers.", "en", lexicon)
    assert {c.kind for c in reading.cues} >= {"agent.armed", "act.kill", "agent.civilian"}
    assert CodebookClassifier().classify(reading) is not None


@pytest.mark.parametrize(("text", "sub_event_type"), [
    ("Herders and farmers clashed in Bokkos, leaving 8 dead.", "Armed clash"),
    ("Rival clans clashed over grazing land near Galkayo, killing 3.", "Armed clash"),
    ("Des éleveurs et des agriculteurs se sont affrontés à Mora, faisant 4 morts.",
     "Armed clash"),
    ("Rival clans clashed over grazing land near Galkayo.", "Mob violence"),
])
def test_communities_fighting_each_other(coder, table, text, sub_event_type):
    language = "fr" if text.startswith("Des") else "en"
    coded = code(coder, table, text, language)
    assert coded is not None and coded.sub_event_type.value == sub_event_type
    if sub_event_type == "Armed clash":
        assert coded.actor1.role == coded.actor2.role == "communal"
        assert coded.actor1.inter == 4


def test_a_states_weapon_names_who_fired(coder, table):
    coded = code(coder, table, "A Turkish drone strike killed 2 PKK members in Qandil.")
    assert coded.actor1.name == "Military Forces of Turkey" or coded.actor1.country == "TR"
    assert coded.actor2.name == "PKK: Kurdistan Workers Party"


def test_a_group_holding_ground_arrests(coder, table):
    coded = code(coder, table, "The Taliban arrested three former soldiers in Kandahar.")
    assert coded.sub_event_type.value == "Arrests"
    assert coded.actor1.name == "Taliban"
    assert coded.actor2.text == "soldiers"


@pytest.mark.parametrize(("text", "sub_event_type"), [
    ("Hundreds of women marched in Bamako against insecurity.", "Peaceful protest"),
    ("Taxi drivers blocked the main road in Kinshasa over fuel prices.", "Peaceful protest"),
    ("Students boycotted classes at the university.", "Peaceful protest"),
    ("Residents burned a police station in Kisii after a man died in custody.",
     "Violent demonstration"),
])
def test_demonstrations_by_what_they_are_for(coder, table, text, sub_event_type):
    coded = code(coder, table, text)
    assert coded is not None and coded.sub_event_type.value == sub_event_type


def test_a_march_for_nothing_said_is_no_protest(coder, table):
    assert code(coder, table, "The soldiers marched to the barracks.") is None
