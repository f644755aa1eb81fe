"""Reference tables for :mod:`clientbase.normalize.names`.

Every key is in *folded* form: lower case, ``ё`` written as ``е`` (``й`` kept), no accents. The
lists are written as whitespace-separated words because that keeps a few hundred names readable
and reviewable; they are turned into dicts once, at import time.

The tables only have to be good enough to decide the *order* of a typed ФИО and to guess a
gender; they are not a registry of names. A missing name is not an error: the parser then falls
back to surname and patronymic suffixes.
"""

from __future__ import annotations

# --- first names ------------------------------------------------------------------------------

# Russian, Ukrainian, Belarusian and the names most common among Tatar, Bashkir, Kazakh, Uzbek,
# Kyrgyz, Caucasian and Armenian customers of Russian-speaking businesses, in Cyrillic.
# "Ким", "Ли", "Пак", "Цой" are deliberately absent: in the CIS they are far more often Korean
# surnames, and listing them would flip "Ким Ольга" into first name "Ким".
_RU_MALE = """
    абрам авдей адам адиль адриан азамат азат айбек айдар айрат акакий алан александр алексей
    алим алишер алмаз альберт альфред амир анатолий анвар андрей андрон антон аристарх аркадий
    арман армен арнольд арсен арсений артем артемий артур архип асхат афанасий ахмед ахмет ашот
    бахром бахтияр бекзат богдан болат борис бронислав булат вадим валентин валерий варлам
    василий вахтанг венедикт вениамин викентий виктор виталий владимир владислав владлен влас
    всеволод вячеслав гавриил гамлет геннадий генрих георгий герасим герман глеб гордей григорий
    гурген гусейн давид дамир даниил данил данила данияр демид демьян денис джамал джон дмитрий
    добрыня евгений евграф евдоким егор емельян ербол еремей ержан ерлан ермолай ефим ефрем
    жандос заур захар зиновий зураб ибрагим иван игнат игнатий игорь изяслав илларион ильдар
    ильнур ильшат илья ильяс иннокентий иосиф ислам исмаил камиль канат карен кирилл клим
    климент кондрат кондратий константин корней кузьма лаврентий лазарь лев леон леонид леонтий
    лука лукьян любомир магомед мадияр макар максим максимилиан мамед марат марк марсель матвей
    мирон мирослав митрофан михаил модест мурат муслим мухаммед назар наиль наум нестор никанор
    никита никифор никодим никола николай никон нурлан нурсултан олег олжас орест осип остап
    отар павел панкрат пантелей петр платон потап прохор равиль радик радомир рамазан рамиль
    расул рафаил рафаэль рашид ренат ринат роберт родион роман ростислав рудольф руслан рустам
    рустем савва савелий салават самуил святослав севастьян семен серафим сергей серик спартак
    станислав степан стефан султан тагир талгат тарас тигран тимофей тимур тихон трофим улугбек
    устин фаддей фарид фаррух федор федот феликс филат филимон филипп фома фрол харитон хасан
    христофор шамиль шерзод эдгар эдуард эльдар эльмир эмиль эмин эрик эрнест юлиан юлий юрий
    яков ян ярослав
"""

_RU_FEMALE = """
    августа агата аглая агния ада аделина адель азиза айгерим айгуль айжан айнура аксинья
    алевтина александра алена алеся алина алиса алия алла альбина альфия амалия амина аминат
    амира анастасия ангелина анжела анжелика анисья анна антонина анфиса ариадна арина асель
    асия аэлита беата белла богдана божена бронислава валентина валерия ванда варвара василина
    василиса венера вера вероника виктория виолетта виталина влада владислава владлена галина
    гаухар гаяне глафира гузель гульмира гульназ гульнара гульнур гульшат дана дарина дария
    дарья диана дилноза дильнара дина динара доминика ева евгения евдокия екатерина елена
    елизавета есения ефросинья жанна жасмин забава зарема зарина зинаида злата зоя зульфия зухра
    изабелла илона инга инесса инна ираида ирина ирма камила камилла капитолина карина каролина
    кира клавдия клара кристина ксения лада лариса лаура лейла лиана лидия лилиана лилия лина
    лолита любава любовь людмила ляйсан мадина майя малика маргарита марианна марина мария марта
    марфа марьям марьяна матрена мила милана милена мирослава мирра надежда назира наиля нана
    наталия наталья нелли ника нина нинель нино нонна оксана олеся олимпиада ольга пелагея
    полина прасковья рада раиса регина рената римма роза розалия руслана сабина саида салтанат
    сауле светлана серафима снежана софия софья станислава стелла стефания сусанна сюзанна
    таисия тамара тамила татьяна ульяна устинья фаина фарида фатима христина эвелина элеонора
    элина элла эльвира эльза эльмира эльнара эмилия эмма юлиана юлия ядвига яна янина ярослава
    ясмина
"""

# English first names, for contacts typed in Latin (foreign partners, iPhone/Google exports).
_EN_MALE = """
    aaron adam adrian alan albert alexander alfred andrew anthony arthur austin benjamin
    bradley brandon brian bruce bryan carl charles christian christopher colin daniel david
    dennis donald douglas dylan edmund edward eric ethan eugene felix francis frank frederick
    gabriel gary george gerald gordon graham gregory harold harvey henry howard hugh hugo ian
    isaac jack jacob james jason jeffrey jeremy joe john jonathan joseph joshua justin keith
    kenneth kevin kyle lawrence leo leonard liam logan louis lucas luke mark martin mason
    matthew michael nathan nathaniel neil nicholas noah oliver oscar patrick paul peter philip
    ralph raymond richard robert roger ronald russell ryan samuel scott sean simon stanley
    stephen steven stuart terence theodore thomas timothy tyler victor vincent walter wayne
    william zachary
"""

_EN_FEMALE = """
    abigail alexandra alice alison amanda amber amelia amy andrea angela ann anne ashley ava
    barbara beverly brenda brittany carol caroline carolyn catherine charlotte cheryl chloe
    christina christine claire cynthia danielle deborah debra denise diane donna doris dorothy
    eleanor elizabeth ella emily emma eugenia evelyn frances gloria grace hannah heather helen
    isabella jacqueline jane janet janice jean jennifer jessica joan joyce judith judy julie
    karen katherine kathleen kathryn kayla kimberly laura lauren lily linda lisa lucy madison
    margaret marie marilyn martha mary megan melissa mia michelle nancy natalie nicole olivia
    pamela patricia rachel rebecca rose ruth samantha sandra sarah sharon shirley sophia sophie
    stephanie susan teresa theresa tiffany valerie victoria virginia wendy zoe
"""


def _genders(male: str, female: str) -> dict[str, str]:
    out = dict.fromkeys(male.split(), "m")
    for name in female.split():
        # A name typed into both lists would silently become female; fail loudly instead.
        if out.get(name) == "m":
            raise ValueError(f"name listed as both male and female: {name}")
        out[name] = "f"
    return out


FIRST_NAMES: dict[str, str] = {**_genders(_RU_MALE, _RU_FEMALE), **_genders(_EN_MALE, _EN_FEMALE)}

# Known first names whose gender genuinely varies. They still count as first names when the
# parser decides the order of a ФИО; they just give no gender.
UNISEX_FIRST_NAMES: frozenset[str] = frozenset(
    "jordan taylor casey morgan jamie robin leslie riley avery kelly dana".split()
)

# --- diminutives ------------------------------------------------------------------------------

# Diminutive or colloquial form -> full forms it can stand for, most likely first. When a
# diminutive serves both genders (Саша, Женя, Валя) both full forms are listed: the caller
# decides by gender or keeps the ambiguity (see names.canonical_first_name).
DIMINUTIVES: dict[str, tuple[str, ...]] = {
    # Russian
    "саша": ("александр", "александра"),
    "шура": ("александр", "александра"),
    "саня": ("александр", "александра"),
    "санек": ("александр",),
    "шурик": ("александр",),
    "алекс": ("александр", "алексей", "александра"),
    "женя": ("евгений", "евгения"),
    "валя": ("валентин", "валентина"),
    "лена": ("елена",),
    "аня": ("анна",),
    "анюта": ("анна",),
    "нюра": ("анна",),
    "нюша": ("анна",),
    "маша": ("мария",),
    "маня": ("мария",),
    "маруся": ("мария",),
    "катя": ("екатерина",),
    "катюша": ("екатерина",),
    "катерина": ("екатерина",),
    "наташа": ("наталья", "наталия"),
    "таня": ("татьяна",),
    "танюша": ("татьяна",),
    "оля": ("ольга",),
    "света": ("светлана",),
    "люда": ("людмила",),
    "люся": ("людмила",),
    "мила": ("людмила", "милана"),
    "ира": ("ирина",),
    "ириша": ("ирина",),
    "юля": ("юлия", "юлиана"),
    "настя": ("анастасия",),
    "ася": ("анастасия",),
    "даша": ("дарья", "дария"),
    "галя": ("галина",),
    "верочка": ("вера",),
    "надя": ("надежда",),
    "люба": ("любовь",),
    "ксюша": ("ксения",),
    "вика": ("виктория",),
    "ника": ("вероника",),
    "вова": ("владимир",),
    "володя": ("владимир",),
    "вован": ("владимир",),
    "дима": ("дмитрий",),
    "митя": ("дмитрий",),
    "димон": ("дмитрий",),
    "сережа": ("сергей",),
    "серега": ("сергей",),
    "миша": ("михаил",),
    "коля": ("николай",),
    "колян": ("николай",),
    "петя": ("петр",),
    "паша": ("павел",),
    "леша": ("алексей",),
    "алеша": ("алексей",),
    "леха": ("алексей",),
    "андрюша": ("андрей",),
    "ваня": ("иван",),
    "костя": ("константин",),
    "толя": ("анатолий",),
    "толик": ("анатолий",),
    "витя": ("виктор",),
    "виталик": ("виталий",),
    "гоша": ("георгий", "игорь"),
    "жора": ("георгий",),
    "гриша": ("григорий",),
    "федя": ("федор",),
    "леня": ("леонид",),
    "слава": (
        "вячеслав",
        "ярослав",
        "станислав",
        "владислав",
        "мирослав",
        "святослав",
        "ростислав",
        "ярослава",
        "станислава",
        "владислава",
        "мирослава",
    ),
    "стас": ("станислав",),
    "влад": ("владислав", "владимир"),
    "макс": ("максим",),
    "рома": ("роман",),
    "юра": ("юрий",),
    "боря": ("борис",),
    "глебушка": ("глеб",),
    "тема": ("артем", "артемий"),
    "сеня": ("семен", "арсений"),
    "сема": ("семен",),
    "вася": ("василий", "василиса"),
    "антоша": ("антон",),
    "кирюша": ("кирилл",),
    "степа": ("степан",),
    "тима": ("тимофей", "тимур"),
    "даня": ("даниил", "данила", "данил"),
    "гена": ("геннадий",),
    "эдик": ("эдуард",),
    "вадик": ("вадим",),
    "валера": ("валерий",),
    "лева": ("лев",),
    "фима": ("ефим",),
    "сева": ("всеволод",),
    "ярик": ("ярослав",),
    "илюша": ("илья",),
    "тоня": ("антонина",),
    "зина": ("зинаида",),
    "клава": ("клавдия",),
    "лида": ("лидия",),
    "лиза": ("елизавета",),
    "лиля": ("лилия",),
    "рита": ("маргарита",),
    "соня": ("софья", "софия"),
    "тома": ("тамара",),
    "поля": ("полина",),
    "варя": ("варвара",),
    "уля": ("ульяна",),
    "тася": ("таисия",),
    "рая": ("раиса",),
    "дуся": ("евдокия",),
    "лара": ("лариса",),
    "геля": ("ангелина",),
    "мариша": ("марина",),
    "сима": ("серафима",),
    "гуля": ("гульнара", "гульмира", "гульназ", "гульнур", "гульшат"),
    # English
    "bill": ("william",),
    "billy": ("william",),
    "will": ("william",),
    "willy": ("william",),
    "bob": ("robert",),
    "bobby": ("robert",),
    "rob": ("robert",),
    "robbie": ("robert",),
    "kate": ("catherine", "katherine", "kathryn"),
    "katie": ("catherine", "katherine", "kathryn"),
    "kathy": ("catherine", "katherine", "kathryn"),
    "cathy": ("catherine", "katherine"),
    "kitty": ("catherine", "katherine"),
    "alex": ("alexander", "alexandra"),
    "sandy": ("sandra", "alexandra"),
    "jim": ("james",),
    "jimmy": ("james",),
    "mike": ("michael",),
    "mikey": ("michael",),
    "mick": ("michael",),
    "dick": ("richard",),
    "rick": ("richard",),
    "ricky": ("richard",),
    "tom": ("thomas",),
    "tommy": ("thomas",),
    "tony": ("anthony",),
    "dave": ("david",),
    "steve": ("steven", "stephen"),
    "chris": ("christopher", "christina", "christine"),
    "liz": ("elizabeth",),
    "lizzy": ("elizabeth",),
    "beth": ("elizabeth",),
    "betty": ("elizabeth",),
    "eliza": ("elizabeth",),
    "jenny": ("jennifer",),
    "jen": ("jennifer",),
    "sam": ("samuel", "samantha"),
    "ben": ("benjamin",),
    "dan": ("daniel",),
    "danny": ("daniel",),
    "joey": ("joseph",),
    "johnny": ("john",),
    "nick": ("nicholas",),
    "matt": ("matthew",),
    "pat": ("patrick", "patricia"),
    "peggy": ("margaret",),
    "maggie": ("margaret",),
    "meg": ("margaret",),
    "sue": ("susan",),
    "susie": ("susan",),
    "andy": ("andrew",),
    "ed": ("edward",),
    "eddie": ("edward",),
    "ted": ("edward", "theodore"),
    "fred": ("frederick",),
    "greg": ("gregory",),
    "jeff": ("jeffrey",),
    "larry": ("lawrence",),
    "pete": ("peter",),
    "phil": ("philip",),
    "ron": ("ronald",),
    "tim": ("timothy",),
    "vicky": ("victoria",),
    "abby": ("abigail",),
    "becky": ("rebecca",),
    "debbie": ("deborah", "debra"),
    "jess": ("jessica",),
    "ken": ("kenneth",),
    "charlie": ("charles",),
    "harry": ("henry", "harold"),
    "mandy": ("amanda",),
    "nate": ("nathan", "nathaniel"),
    "josh": ("joshua",),
    "zach": ("zachary",),
    "molly": ("mary",),
    "polly": ("mary",),
}

# English (international) spellings that Russian speakers commonly use for their own name in
# Latin letters, mapped to the Russian full form. Needed only where transliteration alone does not
# bring the two together (Alexander vs Aleksandr, Michael vs Mikhail); spellings such as
# Alexandra, Victor, Natalia or Sofia already converge through names.fold_latin.
LATIN_EQUIVALENTS: dict[str, tuple[str, ...]] = {
    "alexander": ("александр",),
    "michael": ("михаил",),
    "eugene": ("евгений",),
    "eugenia": ("евгения",),
    "catherine": ("екатерина",),
    "katherine": ("екатерина",),
    "peter": ("петр",),
    "paul": ("павел",),
    "helen": ("елена",),
    "george": ("георгий",),
    "nicholas": ("николай",),
    "andrew": ("андрей",),
    "gregory": ("григорий",),
    "mary": ("мария",),
    "elizabeth": ("елизавета",),
    "daniel": ("даниил",),
    "matthew": ("матвей",),
    "jacob": ("яков",),
    "leo": ("лев",),
    "joseph": ("иосиф",),
    "stephen": ("степан",),
    "natalie": ("наталья", "наталия"),
    "sophie": ("софья", "софия"),
}

# --- suffixes ---------------------------------------------------------------------------------
# Checked with str.endswith on the folded word, longest listed first where it matters.

# Patronymics. "-ич"/"-ична" alone cover Ильич, Кузьмич, Ильинична, Никитична; "-івна" is the
# Ukrainian spelling. Turkic patronymics written as one word (Абишулы, Kazakh Әбішұлы) are included;
# the separate-word forms ("Гусейн оглы") are PATRONYMIC_PARTICLES below.
PATRONYMIC_SUFFIXES_M: tuple[str, ...] = (
    "ович",
    "евич",
    "ич",
    "улы",
    "ұлы",
    "уулу",
    "оглу",
    "оглы",
)
PATRONYMIC_SUFFIXES_F: tuple[str, ...] = (
    "овна",
    "евна",
    "ична",
    "івна",
    "ївна",
    "кызы",
    "қызы",
    "гызы",
)
# The Latin lists are written in names.fold_latin form, which already merges -ovitch/-ovych into
# -ovich, -skiy/-sky/-skij into -ski and -yevna into -evna.
PATRONYMIC_SUFFIXES_LATIN_M: tuple[str, ...] = ("ovich", "evich")
PATRONYMIC_SUFFIXES_LATIN_F: tuple[str, ...] = ("ovna", "evna", "ichna", "ivna")

# Separate words that turn the preceding name into a patronymic ("Гусейн оглы" = son of Гусейн).
PATRONYMIC_PARTICLES: dict[str, str] = {
    "оглы": "m",
    "оглу": "m",
    "улы": "m",
    "ұлы": "m",
    "уулу": "m",
    "кызы": "f",
    "қызы": "f",
    "гызы": "f",
    "кизи": "f",
    "ogly": "m",
    "oglu": "m",
    "uly": "m",
    "kyzy": "f",
    "gyzy": "f",
}

# Surname endings that tell the gender. "-ая", "-ской"/"-цкой" and "-ый" catch adjectival surnames
# (Толстая, Трубецкой, Белый); they are consulted only after the first-name table, so Аглая or
# Майя are safe. A bare "-ой" is left out: Цой, Хой are not Russian adjectives.
SURNAME_SUFFIXES_F: tuple[str, ...] = ("ская", "цкая", "ова", "ева", "ина", "ына", "ая")
SURNAME_SUFFIXES_M: tuple[str, ...] = ("ский", "цкий", "ской", "цкой", "ов", "ев", "ин", "ын", "ый")
# Endings that mark a surname but not a gender (Ukrainian, Armenian, Georgian, Siberian).
SURNAME_SUFFIXES_NEUTRAL: tuple[str, ...] = (
    "енко",
    "ко",
    "чук",
    "ук",
    "юк",
    "ян",
    "янц",
    "дзе",
    "швили",
    "ых",
    "их",
)
SURNAME_SUFFIXES_LATIN_F: tuple[str, ...] = ("skaia", "ckaia", "ova", "eva", "ina")
SURNAME_SUFFIXES_LATIN_M: tuple[str, ...] = ("ski", "cki", "ov", "ev", "of")
SURNAME_SUFFIXES_LATIN_NEUTRAL: tuple[str, ...] = ("enko", "chuk", "ian", "dze", "shvili")

# Foreign surname particles kept with the surname when typed in lower case ("van Beethoven").
LATIN_SURNAME_PARTICLES: frozenset[str] = frozenset(
    "van von der den de da di del della la le du dos das ter ten bin al el".split()
)

# --- noise in name cells ----------------------------------------------------------------------

# Honorifics: dropped from the name, used as a last-resort gender hint.
HONORIFICS: dict[str, str | None] = {
    "г-н": "m",
    "господин": "m",
    "г-жа": "f",
    "госпожа": "f",
    "mr": "m",
    "mister": "m",
    "sir": "m",
    "mrs": "f",
    "ms": "f",
    "miss": "f",
    "madam": "f",
    "dr": None,
    "prof": None,
    "тов": None,
    "jr": None,
    "sr": None,
}

# Words people add to a name cell that are not part of the name. The sole-trader forms (ИП, ЧП,
# ФОП) are here too: "ИП Петров Иван Иванович" still names a person, whose name we want.
JUNK_WORDS: frozenset[str] = frozenset(
    """
    клиент клиентка покупатель покупательница заказчик заказчица вип vip тест test новый новая
    постоянный постоянная ип чп фоп пбоюл
    """.split()
)

# --- companies --------------------------------------------------------------------------------

# Whole words (folded) that mark an organisation rather than a person: legal forms in Russia,
# Kazakhstan, Ukraine and abroad, the same typed in Latin on a Russian keyboard layout mistake
# (OOO), and a few nouns no personal name contains.
COMPANY_WORDS: frozenset[str] = frozenset(
    """
    ооо оао зао пао нао ао ип чп тоо нко ано гбу гку гау мбу мку мау мбоу гбоу гуп муп фгуп фгбу
    фгбоу нп тсж снт кфх пбоюл фоп тов пп ооо ooo zao oao pao
    llc ltd limited inc incorporated corp corporation gmbh plc llp ag sarl bv srl oy
    компания фирма холдинг магазин салон студия агентство ателье клиника аптека кафе ресторан
    гостиница отель завод фабрика банк фонд ассоциация университет институт школа колледж
    лицей администрация министерство управление департамент
    company group holding studio agency shop store
    """.split()
)

# Multi-word legal forms spelled out.
COMPANY_PHRASES: tuple[str, ...] = (
    "с ограниченной ответственностью",
    "индивидуальный предприниматель",
    "акционерное общество",
    "публичное акционерное",
    "товарищество с ограниченной",
    "группа компаний",
    "детский сад",
    "limited liability",
)

# --- words that are not a person's name -------------------------------------------------------

# What people save a contact under instead of, or beside, a name: a role or trade ("Врач
# Петров", "Сантехник Вася"), kin ("Мама Оли"), a service or shop ("Доставка цветов"), the
# generic counterparties of accounting systems ("Розничный покупатель", "Частное лицо") and the
# adjectives that go with them ("Новый клиент"). A cell with one of these is kept as typed, not
# taken apart: read as a ФИО, "Врач Петров" would become "Петров Врач" and "Доставка цветов" a
# man called Доставка. Words that are also common surnames (Кузнец, Мельник, Коваль, Швец, Ткач,
# Гончар, Бондарь, Рыбак, Маляр, Столяр, Плотник, Учитель, Дядько; Smith, Taylor, Baker, Cook,
# Driver, Cash, Son) and given names (Баба, Ата) are deliberately absent.
NOT_NAME_WORDS: frozenset[str] = frozenset(
    """
    розничный розничная розничные оптовый оптовая частный частная частное частник частное
    физ физлицо физлица физическое физическое лицо лица юр юрлицо юридическое покупатели
    клиенты посетитель посетительница контрагент контрагента партнер партнерша поставщик
    подрядчик арендатор арендодатель жилец жильцы абонент пациент пациентка ученик ученица
    студент студентка гражданин гражданка новое новые старый старая старые постоянные
    обычный обычная разовый разовая важный важная вип-клиент наличные безнал касса заказ
    врач врачиха доктор стоматолог дантист терапевт педиатр хирург окулист гинеколог
    ветеринар медсестра массажист массажистка косметолог парикмахер мастер мастерица
    маникюр педикюр сантехник электрик слесарь механик автомеханик плиточник штукатур
    сварщик кровельщик монтажник установщик мастеровой прораб строитель
    строители бригадир грузчик грузчики водитель шофер таксист такси курьер экспедитор
    юрист адвокат нотариус бухгалтер бухгалтерия кассир продавец продавщица консультант
    менеджер директор замдиректора руководитель начальник начальница шеф босс секретарь
    секретарша администратор админ охрана охранник вахтер вахта консьерж консьержка дворник
    уборщица уборка няня нянечка сиделка репетитор тренер учительница
    преподаватель воспитатель воспитательница завуч риелтор риэлтор агент страховщик
    фотограф оператор диспетчер инженер техник программист дизайнер повар официант бармен
    мама мамочка папа папочка мать отец батя сын сынок дочь дочка брат братишка сестра
    сестренка бабушка бабуля дедушка деда дед дедуля тетя тетушка тетка дядя дядька
    жена муж свекровь свекор теща тесть зять невестка сноха кум кума крестная крестный
    племянник племянница внук внучка сосед соседка соседи друг подруга коллега коллеги
    одноклассник одноклассница однокурсник знакомый знакомая любимый любимая милый милая
    доставка доставки цветы цветочный такси ремонт ремонта сервис автосервис
    шиномонтаж автомойка мойка химчистка прачечная пекарня пицца пиццерия суши роллы
    кофейня столовая буфет рынок ларек киоск склад офис офиса контора приемная регистратура
    ресепшн поликлиника больница роддом скорая почта домофон диспетчерская справочная
    поддержка техподдержка горячая линия служба бюро мастерская автосалон автошкола
    турфирма типография сауна баня фитнес спортзал бассейн парикмахерская маникюрная
    покупець покупниця роздрібний роздрібна приватна приватний особа фізособа фізична
    юрособа новий нова постійний постійна лікар лікарка майстер водій бухгалтерка
    мама тато мати бабуся дідусь тітка сусід сусідка подруга доставка
    сатып алушы бөлшек жеке тұлға дәрігер жүргізуші шеше әке апа аға әже
    retail customer customers buyer walk-in walkin private person individual
    mom mum mommy mummy dad daddy mother father brother sister daughter wife husband
    grandma granny grandpa aunt auntie uncle neighbour neighbor colleague
    doctor dentist plumber electrician courier delivery taxi cab lawyer
    accountant manager director secretary reception receptionist support helpdesk office
    home work pizza sushi florist salon nanny babysitter tutor coach teacher landlord
    tenant supplier vendor contractor
    """.split()
)
