"""Word lists for synthetic testimonies (bench.corpus.generator).

Every entry is an (English, Arabic) pair so that a story can be told in
either language and its translation is the same story. Lists run from the
most to the least frequent: the generator draws from them with Zipf-like
weights, as words occur in real accounts. Arabic entries carry the clitics
real writing attaches (و، ف، ب، ل، ال).

Names are invented: syllables that make no real person's name, so a
synthetic corpus can never point at anyone.
"""

TIMES = [
    ("in the morning", "في الصباح"),
    ("in the afternoon", "بعد الظهر"),
    ("at night", "في الليل"),
    ("at dawn", "عند الفجر"),
    ("in the evening", "في المساء"),
    ("around noon", "قرابة الظهر"),
    ("after the evening prayer", "بعد صلاة المغرب"),
    ("before sunrise", "قبل طلوع الشمس"),
    ("on the first day", "في اليوم الأول"),
    ("on the second day", "في اليوم الثاني"),
    ("the next morning", "في صباح اليوم التالي"),
    ("late at night", "في وقت متأخر من الليل"),
    ("on Friday", "يوم الجمعة"),
    ("on Thursday", "يوم الخميس"),
    ("on Saturday", "يوم السبت"),
    ("during the curfew", "أثناء حظر التجول"),
    ("two days later", "بعد يومين"),
    ("a week later", "بعد أسبوع"),
    ("that same hour", "في الساعة نفسها"),
    ("during Ramadan", "خلال شهر رمضان"),
]

ACTORS = [
    ("armed men", "مسلحون"),
    ("gunmen in uniform", "مسلحون بلباس عسكري"),
    ("men in civilian clothes", "رجال بلباس مدني"),
    ("a group of fighters", "مجموعة من المقاتلين"),
    ("masked men", "رجال ملثمون"),
    ("soldiers", "جنود"),
    ("members of a faction", "عناصر من فصيل"),
    ("men from the checkpoint", "عناصر الحاجز"),
    ("strangers with rifles", "غرباء يحملون بنادق"),
    ("a security patrol", "دورية أمنية"),
    ("foreign fighters", "مقاتلون أجانب"),
    ("men in black", "رجال باللباس الأسود"),
    ("a convoy of pickups", "رتل من السيارات"),
    ("local militiamen", "عناصر ميليشيا محلية"),
]

RELATIONS = [
    ("my brother", "أخي"),
    ("my father", "أبي"),
    ("my neighbour", "جاري"),
    ("my cousin", "ابن عمي"),
    ("my son", "ابني"),
    ("my uncle", "عمي"),
    ("my husband", "زوجي"),
    ("my mother", "أمي"),
    ("my sister", "أختي"),
    ("my nephew", "ابن أخي"),
    ("our neighbour's son", "ابن جيراننا"),
    ("the baker", "الفران"),
    ("the shopkeeper", "صاحب الدكان"),
    ("a teacher from the school", "معلم من المدرسة"),
    ("the village mukhtar", "مختار القرية"),
    ("my brother-in-law", "صهري"),
    ("my grandfather", "جدي"),
    ("a young shepherd", "راعٍ شاب"),
]

ACTS = [
    ("shot", "أطلقوا النار على"),
    ("took away", "اقتادوا"),
    ("beat", "ضربوا"),
    ("killed", "قتلوا"),
    ("arrested", "اعتقلوا"),
    ("threatened", "هددوا"),
    ("interrogated", "حققوا مع"),
    ("humiliated", "أهانوا"),
    ("tied up", "قيدوا"),
    ("executed", "أعدموا"),
    ("searched", "فتشوا"),
    ("insulted", "شتموا"),
    ("kidnapped", "خطفوا"),
    ("wounded", "جرحوا"),
]

OBJECTS = [
    ("the house", "البيت"),
    ("the shop", "الدكان"),
    ("the car", "السيارة"),
    ("the olive grove", "بستان الزيتون"),
    ("the mosque", "الجامع"),
    ("the school", "المدرسة"),
    ("the bakery", "الفرن"),
    ("the pharmacy", "الصيدلية"),
    ("the farm", "المزرعة"),
    ("the warehouse", "المستودع"),
    ("the church", "الكنيسة"),
    ("the clinic", "المستوصف"),
    ("the workshop", "الورشة"),
    ("the orange orchard", "بستان البرتقال"),
    ("the fishing boat", "قارب الصيد"),
]

TAKEN = [
    ("our phones", "هواتفنا"),
    ("the money we had", "النقود التي كانت معنا"),
    ("the gold", "الذهب"),
    ("the car keys", "مفاتيح السيارة"),
    ("our identity cards", "بطاقاتنا الشخصية"),
    ("the television", "التلفزيون"),
    ("the motorbike", "الدراجة النارية"),
    ("the sheep", "الأغنام"),
    ("the food in the kitchen", "الطعام في المطبخ"),
    ("the solar panels", "ألواح الطاقة الشمسية"),
]

HIDING = [
    ("in the basement", "في القبو"),
    ("in the orchard", "في البستان"),
    ("at a relative's house", "في بيت أحد الأقارب"),
    ("in the forest above the village", "في الحراج فوق القرية"),
    ("under the stairs", "تحت الدرج"),
    ("on the roof", "على السطح"),
    ("in the bathroom", "في الحمام"),
    ("in a cave in the hills", "في مغارة في الجبل"),
    ("behind the water tank", "خلف خزان الماء"),
]

FEELINGS = [
    ("We were terrified.", "كنا مرعوبين."),
    ("Nobody dared to go out.", "لم يجرؤ أحد على الخروج."),
    ("The children did not stop crying.", "لم يتوقف الأطفال عن البكاء."),
    ("I still cannot sleep at night.", "ما زلت لا أستطيع النوم في الليل."),
    ("I did not know if they were alive.", "لم أكن أعرف إن كانوا أحياء."),
    ("We prayed in silence.", "صلينا بصمت."),
    ("I could not believe what I saw.", "لم أصدق ما رأيت."),
    ("My hands were shaking.", "كانت يداي ترتجفان."),
    ("Everyone was afraid to speak.", "كان الجميع يخاف من الكلام."),
    ("We had no water and no bread.", "لم يكن عندنا ماء ولا خبز."),
]

NUMBERS = [
    ("two", "اثنان"),
    ("three", "ثلاثة"),
    ("four", "أربعة"),
    ("five", "خمسة"),
    ("about ten", "نحو عشرة"),
    ("seven", "سبعة"),
    ("dozens of", "عشرات من"),
    ("six", "ستة"),
    ("about twenty", "نحو عشرين"),
    ("eight", "ثمانية"),
]

# Sentences of a story; slots are filled from the lists above ({place} from
# the gazetteer, {person} with an invented name, {self} with the witness's).
OPENINGS = [
    ("I live in {place} with my family.", "أسكن في {place} مع عائلتي."),
    ("My name is {self} and I am from {place}.", "اسمي {self} وأنا من {place}."),
    ("I was at home in {place} {time}.", "كنت في البيت في {place} {time}."),
    ("We had lived in {place} for many years.", "عشنا في {place} سنوات طويلة."),
    ("I work as a farmer near {place}.", "أعمل مزارعاً قرب {place}."),
]

SENTENCES = [
    ("{time} we heard shooting from the entrance of {place}.",
     "{time} سمعنا إطلاق نار من مدخل {place}."),
    ("{actor} came to our street {time}.", "وصل {actor} إلى شارعنا {time}."),
    ("{number} {actor} entered {object}.", "دخل {number} من {actor} إلى {object}."),
    ("They {act} {relation} in front of {object}.",
     "{act} {relation} أمام {object}."),
    ("{relation} {person} was taken to {place} and we never saw him again.",
     "أُخذ {relation} {person} إلى {place} ولم نره بعدها."),
    ("They took {taken} and set fire to {object}.",
     "أخذوا {taken} وأحرقوا {object}."),
    ("We hid {hiding} until {time}.", "اختبأنا {hiding} حتى {time}."),
    ("{feeling}", "{feeling}"),
    ("I saw {number} bodies near {object}.", "رأيت {number} جثث قرب {object}."),
    ("{person}, {relation}, told me that they {act} the men of {place}.",
     "أخبرني {person}، {relation}، أنهم {act} رجال {place}."),
    ("They asked us about our sect and {act} {relation}.",
     "سألونا عن طائفتنا ثم {act} {relation}."),
    ("{time} the families fled towards {place}.",
     "{time} هربت العائلات باتجاه {place}."),
    ("The bodies stayed on the road {time}; nobody could bury them.",
     "بقيت الجثث على الطريق {time}، ولم يستطع أحد دفنها."),
    ("When we came back {object} had been looted and {taken} were gone.",
     "عندما عدنا كان {object} منهوباً واختفى {taken}."),
    ("{actor} stopped us at a checkpoint outside {place}.",
     "أوقفنا {actor} على حاجز خارج {place}."),
    ("{relation} {person} tried to reach {place} but the road was closed.",
     "حاول {relation} {person} الوصول إلى {place} لكن الطريق كان مغلقاً."),
    ("They said they would come back for the rest of us.",
     "قالوا إنهم سيعودون من أجل البقية."),
    ("We buried {number} people in the garden {time}.",
     "دفنّا {number} أشخاص في الحديقة {time}."),
    ("The phone network was cut and we could not call anyone.",
     "انقطعت شبكة الهاتف ولم نستطع الاتصال بأحد."),
    ("{actor} burned {object} and the smoke covered {place}.",
     "أحرق {actor} {object} وغطى الدخان {place}."),
]  # fmt: skip

CLOSINGS = [
    ("I give this testimony so that what happened is not forgotten.",
     "أقدم هذه الشهادة كي لا يُنسى ما حدث."),
    ("We want to know where {relation} {person} is.",
     "نريد أن نعرف أين {relation} {person}."),
    ("We have not returned to {place} since then.",
     "لم نعد إلى {place} منذ ذلك الحين."),
    ("I ask that those responsible be held to account.",
     "أطالب بمحاسبة المسؤولين."),
]  # fmt: skip

SUMMARIES = [
    ("A resident of {place} describes armed men entering the area {time}.",
     "أحد سكان {place} يصف دخول مسلحين إلى المنطقة {time}."),
    ("An account of killings and looting in {place}.",
     "شهادة عن القتل والنهب في {place}."),
    ("A witness whose relative was taken away near {place}.",
     "شاهد اقتيد أحد أقاربه قرب {place}."),
]  # fmt: skip

# Invented syllables, each with its Arabic spelling: names made of them
# belong to nobody.
NAME_SYLLABLES = [
    ("Ta", "تا"), ("Mir", "مير"), ("Zu", "زو"), ("Ran", "ران"), ("Qel", "قيل"),
    ("Sa", "سا"), ("Dor", "دور"), ("Li", "لي"), ("Nah", "ناه"), ("Vek", "فيك"),
    ("Ro", "رو"), ("Bas", "باس"), ("Fi", "في"), ("Kun", "كون"), ("Ya", "يا"),
    ("Tel", "تيل"), ("Mo", "مو"), ("Zar", "زار"), ("Hu", "هو"), ("Ges", "جيس"),
]  # fmt: skip
NAME_ENDINGS = [
    ("vin", "فين"), ("rud", "رود"), ("mek", "ميك"), ("zal", "زال"), ("tor", "تور"),
    ("nix", "نكس"), ("quon", "قون"), ("lev", "ليف"),
]  # fmt: skip

CONSENT_TAKERS = ["field team 1", "field team 2", "field team 3", "partner office"]
WITHDRAWAL_REASONS = [
    "The witness fears for relatives still in the area.",
    "The witness asked by phone to withdraw.",
    "The family asked on the witness's behalf, with the witness's agreement.",
]
