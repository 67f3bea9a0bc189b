"""The words a search sentence is read with: a curated table, no model.

Source: the 80 COCO class names the detector reports (domain.categories.CATEGORIES) and their categories, with
the everyday words people use for them (British and American spellings, plurals a stemmer cannot reach,
hyponyms such as "kitten" or "lorry"), written by hand. Regular plurals need no entry: phrases are compared
in domain.search.stem form, so "horses" finds the entry "horse". Each entry says what a phrase means:

* `LABEL_WORDS`: phrase -> one COCO label ("motorbike" -> motorcycle);
* `GROUP_WORDS`: phrase -> any of several labels (a hypernym with no category of its own: "pets" -> cat or dog);
* `CATEGORY_WORDS`: phrase -> a category of domain.categories ("animals", "vehicles").

Words for dates (months, seasons, relative days) and the stop words are here too, so the parser
(domain.query_language) holds rules only.
"""

from __future__ import annotations

#: Everyday words for each COCO class, beside its own name (which always means itself).
LABEL_SYNONYMS: dict[str, tuple[str, ...]] = {
    "person": ("people", "persons", "human", "humans", "man", "men", "woman", "women", "kid", "kids", "child",
               "children", "boy", "girl", "baby", "babies", "toddler", "adult", "lady", "ladies", "guy",
               "crowd", "someone", "somebody", "portrait", "selfie"),
    "bicycle": ("bike", "push bike", "pushbike", "cycle", "cycling"),
    "car": ("automobile", "auto", "cars", "sedan", "taxi", "cab", "suv"),
    "motorcycle": ("motorbike", "motor bike", "motor cycle", "moped"),
    "airplane": ("plane", "aeroplane", "aircraft", "jet", "airliner"),
    "bus": ("busses", "coach"),
    "train": ("locomotive", "tram", "railway"),
    "truck": ("lorry", "lorries", "pickup", "pickup truck"),
    "boat": ("ship", "sailboat", "sailing boat", "yacht", "canoe", "kayak", "ferry"),
    "traffic light": ("traffic signal", "stoplight", "stop light"),
    "fire hydrant": ("hydrant",),
    "stop sign": (),
    "parking meter": (),
    "bench": ("park bench",),
    "bird": ("seagull", "gull", "pigeon", "duck", "parrot", "geese", "goose"),
    "cat": ("kitten", "kitty", "kitties", "pussycat", "kitty cat"),
    "dog": ("puppy", "puppies", "pup", "doggy", "doggie", "doggo", "hound"),
    "horse": ("pony", "ponies", "foal"),
    "sheep": ("lamb",),
    "cow": ("cattle", "calf", "calves", "bull", "ox", "oxen"),
    "elephant": (),
    "bear": (),
    "zebra": (),
    "giraffe": (),
    "backpack": ("rucksack",),
    "umbrella": ("parasol",),
    "handbag": ("purse", "hand bag"),
    "tie": ("necktie", "neck tie"),
    "suitcase": ("luggage",),
    "frisbee": (),
    "skis": ("ski", "skiing"),
    "snowboard": ("snowboarding",),
    "sports ball": ("ball", "football", "soccer ball", "basketball", "volleyball", "tennis ball"),
    "kite": (),
    "baseball bat": (),
    "baseball glove": ("mitt",),
    "skateboard": ("skateboarding",),
    "surfboard": ("surf board", "surfing"),
    "tennis racket": ("racket", "racquet", "tennis racquet"),
    "bottle": (),
    "wine glass": ("wineglass",),
    "cup": ("mug",),
    "fork": (),
    "knife": ("knives",),
    "spoon": (),
    "bowl": (),
    "banana": (),
    "apple": (),
    "sandwich": ("sandwiches",),
    "orange": (),
    "broccoli": (),
    "carrot": (),
    "hot dog": ("hotdog",),
    "pizza": (),
    "donut": ("doughnut",),
    "cake": (),
    "chair": (),
    "couch": ("sofa", "couches", "settee"),
    "potted plant": ("houseplant", "house plant", "pot plant", "plant"),
    "bed": (),
    "dining table": ("table",),
    "toilet": ("loo",),
    "tv": ("television", "telly", "tvs"),
    "laptop": ("notebook computer",),
    "mouse": ("mice", "computer mouse"),
    "remote": ("remote control",),
    "keyboard": (),
    "cell phone": ("phone", "cellphone", "mobile phone", "mobile", "smartphone", "iphone"),
    "microwave": (),
    "oven": (),
    "toaster": (),
    "sink": (),
    "refrigerator": ("fridge",),
    "book": (),
    "clock": (),
    "vase": (),
    "scissors": (),
    "teddy bear": ("teddy", "teddies"),
    "hair drier": ("hair dryer", "hairdryer", "hairdrier", "blow dryer"),
    "toothbrush": ("toothbrushes",),
}

#: Hypernyms without a category of their own: any one of the labels is enough.
LABEL_GROUPS: dict[str, tuple[str, ...]] = {
    "pets": ("cat", "dog"),
    "pet": ("cat", "dog"),
    "farm animals": ("cow", "sheep", "horse"),
    "livestock": ("cow", "sheep", "horse"),
    "wildlife": ("bird", "elephant", "bear", "zebra", "giraffe"),
    "wild animals": ("elephant", "bear", "zebra", "giraffe"),
    "fruit": ("banana", "apple", "orange"),
    "vegetables": ("broccoli", "carrot"),
    "veggies": ("broccoli", "carrot"),
    "cutlery": ("fork", "knife", "spoon"),
    "silverware": ("fork", "knife", "spoon"),
}

#: Words for the categories of domain.categories (each category's own name always means itself). "people" is
#: read as the label person (the same photos, with a confidence) and "outdoor" is left a word: as a category
#: it means street furniture, which is not what "outdoor photos" asks for.
CATEGORY_SYNONYMS: dict[str, tuple[str, ...]] = {
    "animals": ("animal",),
    "vehicles": ("vehicle", "transport", "traffic"),
    "accessories": ("accessory",),
    "sports": ("sport",),
    "kitchen": ("kitchenware",),
    "food": ("meal", "meals", "dinner", "lunch", "breakfast"),
    "furniture": (),
    "electronics": ("gadgets",),
    "appliances": ("appliance",),
    "household": (),
}
CATEGORY_NOT_WORDS = frozenset({"people", "outdoor"})

MONTH_WORDS: dict[str, int] = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4, "may": 5,
    "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9,
    "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}

#: Meteorological seasons of the northern hemisphere: (first month, number of months). Winter starts in
#: December: "winter 2019" is December 2019 to February 2020.
SEASONS: dict[str, tuple[int, int]] = {
    "spring": (3, 3), "summer": (6, 3), "autumn": (9, 3), "fall": (9, 3), "winter": (12, 3),
}

#: Words that say nothing about which photos: dropped.
STOP_WORDS = frozenset({
    "a", "an", "the", "of", "on", "in", "at", "with", "and", "&", "by", "for", "from", "during", "some", "any",
    "all", "my", "our", "me", "us", "i", "we", "show", "find", "search", "get", "give", "see", "taken", "shot",
    "shots", "photo", "photos", "picture", "pictures", "pic", "pics", "image", "images", "snap", "snaps",
    "where", "there", "is", "are", "was", "were", "that", "which", "who", "this", "these", "those",
    "please", "just", "between", "only", "having", "has", "have", "one", "ones", "its", "it",
})

#: Words that negate the phrase after them ("without people", "no cars", "not dogs"); "-person" does too.
NEGATIONS = frozenset({"without", "no", "not", "except", "excluding", "minus"})

#: Single words that are a negation already: "nobody" is "without person".
NEGATED_WORDS: dict[str, str] = {"nobody": "person", "noone": "person", "unpeopled": "person"}

#: Words introducing a place ("in iceland", "at the louvre").
PLACE_WORDS = frozenset({"in", "at"})

#: Common words after "in"/"at" that the gazetteer knows as some village ("in the snow": Snow, Belarus;
#: "at home": Home, Washington): never read as places.
NOT_PLACES = frozenset({
    "snow", "rain", "sun", "fog", "forest", "woods", "street", "church", "beach", "home", "town", "sunset",
    "sunrise", "wedding", "christmas", "tower", "holiday", "trip", "airport", "grass", "garden", "park",
    "water", "sea", "lake", "river", "mountains", "hills", "city", "market", "office", "school", "night",
    "morning", "evening", "dark", "house", "zoo", "field", "bed", "kitchen", "party", "work", "harbour",
})
