"""Vocabularies for the sample CRM: places, people, industries, titles and page phrases.

Data only, no logic. Company names are composed from these words, so they are
fictional; product and ERP names are real software a customer might run.
Words that an ICP keyword matcher looks for (ERP, SAP, WMS, warehouse management,
supply chain planning) appear only in `ERP_SENTENCES` and `ERP_PRODUCTS`, so that
only companies meant to meet the free-text criterion mention them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CountryVocab:
    """How a country shows up in CRM records, names, addresses and emails."""

    name: str
    region: str
    variants: tuple[str, ...]
    dial_code: str
    cities: tuple[str, ...]
    legal_suffixes: tuple[str, ...]
    tlds: tuple[str, ...]
    origins: tuple[str, ...]
    personal_domains: tuple[str, ...]
    exchange: str


# Data tables below are packed by hand; the formatter would put one item per line.
# fmt: off
COUNTRIES: dict[str, CountryVocab] = {
    c.name: c
    for c in (
        CountryVocab(
            "United States", "North America",
            ("USA", "US", "United States of America"),
            "+1",
            (
                "Chicago", "Columbus", "Atlanta", "Dallas", "Memphis", "Denver", "Charlotte",
                "Minneapolis", "Milwaukee", "Louisville", "Phoenix", "Pittsburgh",
            ),
            ("Inc.", "Corp.", "LLC", "Co."),
            (".com", ".com", ".com", ".io", ".us"),
            ("english", "english", "hispanic", "indian", "chinese"),
            ("gmail.com", "outlook.com", "yahoo.com", "icloud.com"),
            "Nasdaq",
        ),
        CountryVocab(
            "Canada", "North America",
            ("CA",),
            "+1",
            ("Toronto", "Mississauga", "Calgary", "Montreal", "Winnipeg", "Vancouver"),
            ("Inc.", "Ltd.", "Corp."),
            (".ca", ".com"),
            ("english", "french", "chinese", "indian"),
            ("gmail.com", "outlook.com", "yahoo.ca"),
            "Toronto Stock Exchange",
        ),
        CountryVocab(
            "Mexico", "LATAM",
            ("México",),
            "+52",
            ("Monterrey", "Guadalajara", "Querétaro", "Mexico City", "Puebla"),
            ("S.A. de C.V.",),
            (".com.mx", ".mx"),
            ("hispanic",),
            ("gmail.com", "hotmail.com", "outlook.com"),
            "Bolsa Mexicana de Valores",
        ),
        CountryVocab(
            "Brazil", "LATAM",
            ("Brasil",),
            "+55",
            ("São Paulo", "Curitiba", "Campinas", "Porto Alegre", "Belo Horizonte"),
            ("Ltda.", "S.A."),
            (".com.br",),
            ("portuguese",),
            ("gmail.com", "hotmail.com", "uol.com.br"),
            "B3",
        ),
        CountryVocab(
            "United Kingdom", "Europe",
            ("UK", "Great Britain", "England"),
            "+44",
            (
                "Manchester", "Birmingham", "Leeds", "Bristol", "Glasgow", "Sheffield",
                "Nottingham", "London",
            ),
            ("Ltd", "plc", "Limited"),
            (".co.uk", ".co.uk", ".com"),
            ("english", "english", "indian"),
            ("gmail.com", "hotmail.co.uk", "outlook.com", "btinternet.com"),
            "London Stock Exchange",
        ),
        CountryVocab(
            "Ireland", "Europe",
            ("Republic of Ireland", "Éire"),
            "+353",
            ("Dublin", "Cork", "Galway", "Limerick"),
            ("Ltd", "DAC", "Limited"),
            (".ie", ".com"),
            ("irish", "english"),
            ("gmail.com", "eircom.net", "outlook.com"),
            "Euronext Dublin",
        ),
        CountryVocab(
            "Germany", "Europe",
            ("Deutschland", "DE"),
            "+49",
            (
                "Hamburg", "Stuttgart", "Dortmund", "Nuremberg", "Bremen", "Leipzig", "Hanover",
                "Düsseldorf", "Munich",
            ),
            ("GmbH", "AG", "GmbH & Co. KG", "SE"),
            (".de", ".de", ".com"),
            ("german", "german", "turkish"),
            ("gmx.de", "web.de", "gmail.com", "t-online.de"),
            "Frankfurt Stock Exchange",
        ),
        CountryVocab(
            "France", "Europe",
            ("FR",),
            "+33",
            ("Lyon", "Lille", "Toulouse", "Nantes", "Bordeaux", "Strasbourg", "Paris"),
            ("SA", "SAS", "SARL"),
            (".fr", ".fr", ".com"),
            ("french",),
            ("gmail.com", "orange.fr", "free.fr", "laposte.net"),
            "Euronext Paris",
        ),
        CountryVocab(
            "Netherlands", "Europe",
            ("The Netherlands", "Holland", "NL"),
            "+31",
            ("Rotterdam", "Eindhoven", "Utrecht", "Tilburg", "Venlo", "Amsterdam"),
            ("B.V.", "N.V."),
            (".nl", ".com", ".eu"),
            ("dutch",),
            ("gmail.com", "ziggo.nl", "outlook.com"),
            "Euronext Amsterdam",
        ),
        CountryVocab(
            "Sweden", "Europe",
            ("Sverige", "SE"),
            "+46",
            ("Gothenburg", "Malmö", "Stockholm", "Jönköping", "Västerås"),
            ("AB",),
            (".se", ".com"),
            ("swedish",),
            ("gmail.com", "hotmail.se", "outlook.com"),
            "Nasdaq Stockholm",
        ),
        CountryVocab(
            "Spain", "Europe",
            ("España",),
            "+34",
            ("Zaragoza", "Valencia", "Barcelona", "Bilbao", "Seville", "Madrid"),
            ("S.A.", "S.L."),
            (".es", ".com"),
            ("spanish",),
            ("gmail.com", "hotmail.es", "yahoo.es"),
            "Bolsa de Madrid",
        ),
        CountryVocab(
            "Italy", "Europe",
            ("Italia",),
            "+39",
            ("Milan", "Turin", "Bologna", "Verona", "Padua", "Brescia"),
            ("S.p.A.", "S.r.l."),
            (".it", ".com"),
            ("italian",),
            ("gmail.com", "libero.it", "virgilio.it"),
            "Borsa Italiana",
        ),
        CountryVocab(
            "Poland", "Europe",
            ("Polska",),
            "+48",
            ("Poznań", "Wrocław", "Łódź", "Gdańsk", "Katowice", "Warsaw"),
            ("Sp. z o.o.", "S.A."),
            (".pl", ".com"),
            ("polish",),
            ("gmail.com", "wp.pl", "onet.pl"),
            "Warsaw Stock Exchange",
        ),
        CountryVocab(
            "India", "APAC",
            ("IN",),
            "+91",
            ("Pune", "Chennai", "Bengaluru", "Ahmedabad", "Hyderabad", "Mumbai"),
            ("Pvt. Ltd.", "Ltd."),
            (".in", ".co.in", ".com"),
            ("indian",),
            ("gmail.com", "yahoo.co.in", "rediffmail.com"),
            "National Stock Exchange of India",
        ),
        CountryVocab(
            "Japan", "APAC",
            ("JP",),
            "+81",
            ("Nagoya", "Osaka", "Yokohama", "Kobe", "Fukuoka", "Tokyo"),
            ("K.K.", "Co., Ltd."),
            (".co.jp", ".jp"),
            ("japanese",),
            ("gmail.com", "yahoo.co.jp"),
            "Tokyo Stock Exchange",
        ),
        CountryVocab(
            "Singapore", "APAC",
            ("SG",),
            "+65",
            ("Singapore",),
            ("Pte. Ltd.",),
            (".com.sg", ".sg"),
            ("chinese", "indian", "english"),
            ("gmail.com", "singnet.com.sg"),
            "Singapore Exchange",
        ),
        CountryVocab(
            "Australia", "APAC",
            ("AU",),
            "+61",
            ("Melbourne", "Brisbane", "Adelaide", "Perth", "Sydney"),
            ("Pty Ltd",),
            (".com.au",),
            ("english", "chinese"),
            ("gmail.com", "bigpond.com", "outlook.com"),
            "ASX",
        ),
        CountryVocab(
            "South Africa", "Africa",
            ("RSA", "ZA"),
            "+27",
            ("Johannesburg", "Durban", "Cape Town", "Port Elizabeth", "Pretoria"),
            ("(Pty) Ltd",),
            (".co.za",),
            ("english", "afrikaans", "african"),
            ("gmail.com", "webmail.co.za"),
            "JSE",
        ),
        CountryVocab(
            "United Arab Emirates", "Middle East",
            ("UAE", "U.A.E."),
            "+971",
            ("Dubai", "Abu Dhabi", "Sharjah"),
            ("LLC", "FZE"),
            (".ae", ".com"),
            ("arabic", "indian", "english"),
            ("gmail.com", "hotmail.com"),
            "Abu Dhabi Securities Exchange",
        ),
    )
}

ICP_REGIONS = ("North America", "Europe")
IN_REGION_COUNTRIES = tuple(c for c, v in COUNTRIES.items() if v.region in ICP_REGIONS)
# Mexico counts as North America on a map but as LATAM in many sales territories;
# it is kept out of the in-region pool so the intended fit stays unambiguous.
IN_REGION_COUNTRIES = tuple(c for c in IN_REGION_COUNTRIES if c != "Mexico")
OUT_OF_REGION_COUNTRIES = tuple(c for c, v in COUNTRIES.items() if v.region not in ICP_REGIONS)

FIRST_NAMES: dict[str, tuple[str, ...]] = {
    "english": (
        "James", "Emily", "Michael", "Sarah", "David", "Laura", "Daniel", "Rachel", "Thomas",
        "Hannah", "Matthew", "Olivia", "Andrew", "Megan", "Robert", "Grace", "Christopher",
        "Natalie", "Jonathan", "Rebecca", "Mark", "Claire", "Peter",
    ),
    "irish": ("Ciarán", "Aoife", "Sean", "Niamh", "Conor", "Siobhan", "Declan", "Orla"),
    "hispanic": (
        "Carlos", "María", "Alejandro", "Lucía", "Javier", "Gabriela", "Miguel", "Valentina",
        "Diego", "Fernanda",
    ),
    "spanish": ("Pablo", "Carmen", "Sergio", "Elena", "Álvaro", "Marta", "Jorge", "Nuria"),
    "portuguese": ("João", "Ana", "Rafael", "Beatriz", "Thiago", "Camila", "Lucas", "Juliana"),
    "german": (
        "Anna", "Lukas", "Katrin", "Matthias", "Julia", "Stefan", "Sabine", "Jonas", "Claudia",
        "Tobias", "Franziska", "Markus",
    ),
    "turkish": ("Emre", "Ayşe", "Murat", "Elif", "Kerem"),
    "french": (
        "Camille", "Julien", "Sophie", "Nicolas", "Élodie", "Mathieu", "Chloé", "Antoine", "Manon",
        "Guillaume",
    ),
    "dutch": ("Daan", "Sanne", "Bram", "Femke", "Joost", "Lotte", "Ruben", "Marloes"),
    "swedish": ("Erik", "Linnea", "Oskar", "Maja", "Johan", "Ebba", "Anders", "Sofia"),
    "italian": ("Marco", "Giulia", "Luca", "Francesca", "Alessandro", "Chiara", "Matteo", "Elisa"),
    "polish": (
        "Piotr", "Agnieszka", "Tomasz", "Katarzyna", "Michał", "Magdalena", "Paweł", "Joanna",
    ),
    "indian": (
        "Priya", "Rahul", "Ananya", "Arjun", "Sneha", "Vikram", "Deepa", "Karthik", "Neha",
        "Rohan",
    ),
    "chinese": ("Wei", "Mei", "Jun", "Xiaoling", "Hao", "Lin", "Jia", "Chen"),
    "japanese": ("Haruto", "Yui", "Takeshi", "Aiko", "Kenji", "Sakura", "Hiroshi", "Naomi"),
    "arabic": ("Omar", "Fatima", "Khalid", "Layla", "Yousef", "Mariam", "Hassan", "Noor"),
    "afrikaans": ("Pieter", "Annelie", "Johan", "Marike", "Riaan", "Elna"),
    "african": ("Thabo", "Nomvula", "Sipho", "Lerato", "Themba", "Zanele"),
}

LAST_NAMES: dict[str, tuple[str, ...]] = {
    "english": (
        "Smith", "Johnson", "Walker", "Harris", "Clarke", "Turner", "Bennett", "Morgan", "Hughes",
        "Foster", "Collins", "Reed", "Parker", "Hayes", "Mitchell", "Brooks", "Coleman",
        "Fletcher", "Jones", "Wright", "Palmer", "Shaw",
    ),
    "irish": ("Murphy", "O'Brien", "Kelly", "Byrne", "Walsh", "Doyle", "Gallagher", "Nolan"),
    "hispanic": (
        "García", "Hernández", "López", "Martínez", "Ramírez", "Torres", "Flores", "Vargas",
        "Castillo", "Mendoza",
    ),
    "spanish": (
        "Fernández", "Ruiz", "Navarro", "Moreno", "Jiménez", "Romero", "Iglesias", "Serrano",
    ),
    "portuguese": (
        "Silva", "Santos", "Oliveira", "Souza", "Pereira", "Costa", "Almeida", "Ferreira",
    ),
    "german": (
        "Schmidt", "Müller", "Schneider", "Fischer", "Weber", "Becker", "Hoffmann", "Krüger",
        "Wagner", "Zimmermann", "Brandt", "Vogel",
    ),
    "turkish": ("Yılmaz", "Demir", "Kaya", "Şahin", "Öztürk"),
    "french": (
        "Martin", "Bernard", "Dubois", "Moreau", "Laurent", "Lefèvre", "Girard", "Rousseau",
        "Fontaine", "Chevalier",
    ),
    "dutch": ("de Vries", "Jansen", "van Dijk", "Bakker", "Visser", "Smit", "de Boer", "Mulder"),
    "swedish": (
        "Lindqvist", "Andersson", "Johansson", "Nilsson", "Berg", "Lundgren", "Eriksson", "Holm",
    ),
    "italian": ("Rossi", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco", "Conti"),
    "polish": (
        "Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kamiński", "Lewandowska", "Zielińska",
        "Szymański",
    ),
    "indian": (
        "Sharma", "Patel", "Iyer", "Reddy", "Nair", "Gupta", "Menon", "Kulkarni", "Rao", "Desai",
    ),
    "chinese": ("Tan", "Lim", "Wang", "Chen", "Lee", "Ng", "Zhang", "Wong"),
    "japanese": (
        "Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Yamamoto", "Nakamura", "Kobayashi",
    ),
    "arabic": ("Al Mansouri", "Haddad", "Khalil", "Al Nuaimi", "Saleh", "Farouk", "Nasser"),
    "afrikaans": ("van der Merwe", "Botha", "Pretorius", "Venter", "du Plessis"),
    "african": ("Nkosi", "Dlamini", "Mokoena", "Khumalo", "Ndlovu", "Mahlangu"),
}


@dataclass(frozen=True)
class Specialty:
    """One line of business: the label it goes by and the phrases its pages use."""

    label: str
    what_it_is: str
    what_it_does: str
    products: tuple[str, ...]
    customers: tuple[str, ...]
    launch_items: tuple[str, ...]


@dataclass(frozen=True)
class SectorVocab:
    """One canonical industry, the words its company names use and its specialties."""

    canonical: str
    target: bool
    name_words: tuple[str, ...]
    revenue_per_employee: int
    specialties: tuple[Specialty, ...]


S = Specialty
SECTORS: dict[str, SectorVocab] = {
    s.canonical: s
    for s in (
        SectorVocab(
            "Manufacturing",
            True,
            ("Manufacturing", "Industries", "Components", "Machinery", "Precision",
             "Fabrication", "Metalworks", "Plastics", "Engineering Works", "Industrial"),
            260_000,
            (
                S("Industrial Machinery", "builder of packaging machinery",
                  "designs and builds automated packaging and palletising lines",
                  ("Packaging machines", "Palletising robots", "Machine retrofits and upgrades",
                   "Spare parts and field service", "Remote machine monitoring",
                   "Operator training"),
                  ("food and beverage producers", "consumer goods brands",
                   "pharmaceutical manufacturers", "dairies"),
                  ("a compact palletising robot", "a remote monitoring service for its machines")),
                S("Industrial Machinery", "maker of industrial pumps and valves",
                  "casts, machines and assembles pumps and valves for process plants",
                  ("Centrifugal pumps", "Industrial valves", "Pump repair and overhaul",
                   "Spare parts", "Condition monitoring", "Custom castings"),
                  ("chemical plants", "water utilities", "refineries", "food processors"),
                  ("a hygienic pump range for dairies", "an energy-saving valve actuator")),
                S("Automotive Parts", "supplier of brake and chassis parts",
                  "produces brake discs, callipers and chassis parts for carmakers",
                  ("Brake discs and callipers", "Chassis components", "Aluminium die casting",
                   "Aftermarket spare parts", "Prototype and testing services"),
                  ("carmakers", "tier-one automotive suppliers", "commercial vehicle makers",
                   "aftermarket distributors"),
                  ("a lightweight aluminium brake calliper", "a brake range for electric vans")),
                S("Automotive Parts", "maker of automotive wiring harnesses",
                  "designs and assembles wiring harnesses and connectors for vehicle makers",
                  ("Wiring harnesses", "Connectors and sensors", "Battery cabling",
                   "Cable assembly", "Engineering and testing"),
                  ("carmakers", "truck and bus makers", "agricultural machinery makers"),
                  ("a high-voltage harness for electric trucks", "a new assembly plant")),
                S("Consumer Electronics Manufacturing", "manufacturer of small kitchen appliances",
                  "designs and builds kettles, toasters and coffee machines for household brands",
                  ("Small kitchen appliances", "Coffee machines", "Private-label appliances",
                   "Product design and testing", "Repair and refurbishment"),
                  ("household brands", "electronics retailers", "department stores"),
                  ("a recycled-plastic appliance range", "a repairable coffee machine")),
                S("Consumer Electronics Manufacturing", "contract electronics manufacturer",
                  "assembles circuit boards and smart home devices under contract",
                  ("Printed circuit board assembly", "Box build and final assembly",
                   "Smart home sensors", "Test and inspection", "Component sourcing"),
                  ("consumer brands", "utility companies", "medical device makers"),
                  ("a second SMT assembly line", "a smart thermostat for utilities")),
                S("Manufacturing", "manufacturer of precision metal components",
                  "machines precision parts for machine builders",
                  ("CNC machined components", "Sheet metal fabrication", "Welded assemblies",
                   "Surface treatment and coating", "Tooling"),
                  ("machine builders", "aerospace tier-two suppliers",
                   "agricultural equipment makers"),
                  ("a five-axis machining centre", "a second production plant")),
                S("Manufacturing", "producer of injection-moulded plastic parts",
                  "moulds plastic parts for household and medical products",
                  ("Custom injection moulding", "Mould making", "Cleanroom production",
                   "Assembly and packaging", "Recycled-plastic compounds"),
                  ("medical device makers", "household brands", "toy makers"),
                  ("a cleanroom moulding hall", "a recycled-plastic product range")),
            ),
        ),
        SectorVocab(
            "Retail",
            True,
            ("Retail", "Stores", "Markets", "Outfitters", "Home & Garden", "Goods",
             "Supermarkets", "Living"),
            210_000,
            (
                S("Grocery Retail", "regional grocery chain",
                  "runs grocery stores and a fast-growing home delivery service",
                  ("Supermarkets and convenience stores", "Home delivery", "Click and collect",
                   "Private-label groceries", "Loyalty programme", "In-store bakeries"),
                  ("families", "commuters", "budget-conscious households"),
                  ("a same-day grocery delivery service", "a private-label organic range")),
                S("Grocery Retail", "organic supermarket chain",
                  "runs neighbourhood supermarkets with a strong fresh-food offer",
                  ("Organic supermarkets", "Fresh produce from local farms", "Online ordering",
                   "Refill stations", "Loyalty programme"),
                  ("health-conscious shoppers", "families", "young professionals"),
                  ("a redesigned loyalty app", "its first store in the capital")),
                S("E-commerce", "online fashion retailer",
                  "sells clothing and shoes online with free returns",
                  ("Online shop with next-day delivery", "Free returns", "Mobile shopping app",
                   "Size advice", "Marketplace for third-party labels"),
                  ("online shoppers", "young professionals", "students"),
                  ("a marketplace for local brands", "a redesigned shopping app")),
                S("E-commerce", "online pet supplies retailer",
                  "sells pet food and accessories online with subscription delivery",
                  ("Pet food and accessories", "Subscription deliveries", "Vet advice line",
                   "Mobile shopping app", "Own-brand pet food"),
                  ("pet owners", "animal shelters", "breeders"),
                  ("a subscription service for pet food", "an own-brand grain-free range")),
                S("Retail", "home and garden retailer",
                  "sells furniture, plants and home goods in stores and online",
                  ("Garden centres", "Furniture and home decor", "Click and collect",
                   "Home delivery", "Gift cards and loyalty programme"),
                  ("homeowners", "families", "keen gardeners"),
                  ("its first flagship store", "a furniture rental service")),
                S("Retail", "outdoor equipment retailer",
                  "sells outdoor clothing and camping gear through its stores and web shop",
                  ("Outdoor clothing and gear", "Camping equipment", "Equipment rental",
                   "Repair service", "Online shop"),
                  ("outdoor enthusiasts", "families", "schools and clubs"),
                  ("a gear repair and resale service", "a new flagship store")),
            ),
        ),
        SectorVocab(
            "Logistics",
            True,
            ("Logistics", "Freight", "Transport", "Shipping", "Haulage", "Cargo",
             "Fulfilment", "Forwarding"),
            170_000,
            (
                S("Freight", "road freight carrier",
                  "moves full and part truckloads across the region",
                  ("Full and part truckload transport", "Groupage services",
                   "Dedicated fleet services", "Intermodal rail transport", "Heavy haulage"),
                  ("industrial manufacturers", "building materials suppliers", "retailers"),
                  ("an electric truck fleet", "a new intermodal rail service")),
                S("Freight", "freight forwarder",
                  "forwards ocean and air freight for importers and exporters",
                  ("Ocean freight", "Air freight", "Customs brokerage", "Cargo insurance",
                   "Project cargo"),
                  ("importers", "exporters", "industrial manufacturers"),
                  ("a customer shipment portal", "a weekly rail link to Asia")),
                S("Third-Party Logistics (3PL)", "third-party logistics provider",
                  "runs contract warehouses for consumer brands and retailers",
                  ("Contract warehousing", "Co-packing and kitting", "Cross-docking",
                   "Returns handling", "Value-added services"),
                  ("consumer brands", "retailers", "pharmaceutical distributors"),
                  ("a new multi-user warehouse", "an automated pick-and-pack line")),
                S("Third-Party Logistics (3PL)", "e-commerce fulfilment provider",
                  "picks, packs and ships online orders for fast-growing brands",
                  ("E-commerce fulfilment", "Returns handling", "Same-day dispatch",
                   "Marketplace integration", "Gift wrapping and inserts"),
                  ("online brands", "fashion labels", "subscription box companies"),
                  ("a new fulfilment centre", "a returns service for online shops")),
                S("Transportation & Logistics", "cold-chain transport specialist",
                  "transports chilled and frozen food for grocers",
                  ("Cold-chain transport", "Temperature-controlled storage",
                   "Pallet network", "Route planning and tracking"),
                  ("grocers", "food producers", "pharmacies"),
                  ("a temperature-controlled hub", "a fleet of electric refrigerated vans")),
                S("Transportation & Logistics", "logistics group",
                  "combines road transport, warehousing and parcel delivery",
                  ("Road transport", "Warehousing", "Parcel delivery", "Last-mile delivery",
                   "Customs services"),
                  ("retailers", "online retailers", "industrial manufacturers"),
                  ("a parcel locker network", "an electric delivery van fleet")),
            ),
        ),
        SectorVocab(
            "Wholesale",
            True,
            ("Wholesale", "Distribution", "Supply", "Trading", "Distributors", "Merchants"),
            420_000,
            (
                S("Distribution", "distributor of electrical supplies",
                  "distributes electrical and lighting supplies to installers",
                  ("Electrical and lighting supplies", "Trade counters", "Next-day delivery",
                   "Cable cutting service", "Solar and EV charging kits"),
                  ("electrical installers", "facility managers", "housebuilders"),
                  ("a trade app for installers", "an EV charger range")),
                S("Distribution", "distributor of industrial fasteners",
                  "stocks tens of thousands of fasteners and tools for industrial buyers",
                  ("Industrial fasteners and tools", "Vendor-managed inventory",
                   "Kanban bin service", "Private-label tools", "Technical advice"),
                  ("industrial maintenance teams", "OEM production lines", "machine builders"),
                  ("a vendor-managed inventory service", "a private-label tool range")),
                S("Distribution", "distributor of medical consumables",
                  "delivers medical consumables to clinics and care homes",
                  ("Medical consumables", "Hygiene products", "Scheduled deliveries",
                   "Online ordering portal"),
                  ("clinics", "care homes", "dental practices"),
                  ("an online ordering portal for clinics", "a new regional hub")),
                S("Wholesale", "food service wholesaler",
                  "supplies restaurants, hotels and canteens with food and drink",
                  ("Food service distribution", "Cash and carry stores", "Private-label ranges",
                   "Chilled and frozen delivery", "Menu planning advice"),
                  ("restaurants and hotels", "canteens and caterers", "independent shops"),
                  ("a new cash and carry store", "an online ordering app")),
                S("Wholesale", "wholesaler of building materials",
                  "distributes timber, insulation and building materials to contractors",
                  ("Timber and panels", "Insulation", "Delivery to site", "Tool hire",
                   "Trade accounts"),
                  ("building contractors", "roofers", "housebuilders"),
                  ("a new branch with a drive-through yard", "a low-carbon insulation range")),
                S("Wholesale", "beverage wholesaler",
                  "delivers beverages to bars, shops and restaurants",
                  ("Beverage distribution", "Draught beer service", "Event supplies",
                   "Glassware loan"),
                  ("bars and pubs", "independent shops", "event organisers"),
                  ("a craft beverage range", "a returnable bottle scheme")),
            ),
        ),
        SectorVocab(
            "Software",
            False,
            ("Software", "Labs", "Systems", "Cloud", "Digital", "Technologies"),
            250_000,
            (
                S("SaaS", "SaaS provider", "sells HR and payroll software to small businesses",
                  ("Cloud HR and payroll", "Time tracking", "Employee self-service app"),
                  ("small businesses", "accountants", "start-ups"),
                  ("an AI assistant for its HR platform", "a payroll app")),
                S("Software", "IT consultancy",
                  "provides ERP implementation services to mid-sized firms",
                  ("ERP implementation", "Data integration services", "IT consulting",
                   "Managed support"),
                  ("mid-sized manufacturers", "public sector bodies", "retailers"),
                  ("a partner programme", "a data migration toolkit")),
                S("Software", "cybersecurity firm",
                  "develops security tools for mid-sized companies",
                  ("Managed security services", "Endpoint protection", "Security training"),
                  ("banks and insurers", "hospitals", "public sector bodies"),
                  ("a managed detection service", "a phishing simulation tool")),
            ),
        ),
        SectorVocab(
            "Financial Services",
            False,
            ("Bank", "Capital", "Financial", "Mutual", "Savings"),
            400_000,
            (
                S("Banking", "regional bank",
                  "offers current accounts, mortgages and business loans",
                  ("Current accounts", "Mortgages", "Business loans", "Payment cards"),
                  ("households", "small businesses", "farmers"),
                  ("a digital mortgage service", "an app for small firms")),
                S("Insurance", "insurance company", "insures homes, cars and small businesses",
                  ("Home insurance", "Motor insurance", "Business insurance", "Claims app"),
                  ("households", "small businesses", "landlords"),
                  ("a claims app", "a cyber insurance product")),
                S("Financial Services", "asset manager", "manages pension and investment funds",
                  ("Pension funds", "Investment funds", "Wealth management"),
                  ("pension savers", "foundations", "wealthy families"),
                  ("a sustainable equity fund", "a robo-advice service")),
            ),
        ),
        SectorVocab(
            "Healthcare",
            False,
            ("Health", "Medical", "Clinics", "Care", "Hospital Group"),
            120_000,
            (
                S("Hospitals", "hospital group", "runs hospitals and outpatient clinics",
                  ("Inpatient care", "Outpatient clinics", "Diagnostics", "Rehabilitation"),
                  ("patients", "insurers", "local authorities"),
                  ("a new outpatient centre", "a telemedicine service")),
                S("Healthcare", "home care provider", "provides home care for older people",
                  ("Home care", "Nursing visits", "Telecare alarms"),
                  ("older people", "families", "local authorities"),
                  ("a telecare service", "a carer training academy")),
            ),
        ),
        SectorVocab(
            "Education",
            False,
            ("University", "Academy", "College", "Learning", "Institute"),
            90_000,
            (
                S("Higher Education", "private university",
                  "teaches engineering and business degrees",
                  ("Bachelor and master programmes", "Executive education", "Research centres"),
                  ("students", "employers", "research partners"),
                  ("a new online degree", "a campus expansion")),
                S("Education", "vocational college", "runs vocational training courses",
                  ("Vocational training", "Apprenticeships", "Evening courses"),
                  ("school leavers", "working adults", "employers"),
                  ("a logistics apprenticeship", "a new workshop building")),
            ),
        ),
        SectorVocab(
            "Energy",
            False,
            ("Energy", "Power", "Renewables", "Solar", "Utilities"),
            600_000,
            (
                S("Energy", "renewable energy developer",
                  "develops and operates wind and solar farms",
                  ("Wind farms", "Solar parks", "Energy storage", "Power purchase agreements"),
                  ("utilities", "municipalities", "industrial buyers"),
                  ("a battery storage project", "a new solar park")),
                S("Energy", "regional utility", "supplies electricity, gas and heat",
                  ("Electricity supply", "Gas supply", "District heating", "EV charging"),
                  ("households", "businesses", "municipalities"),
                  ("a district heating network", "a public EV charging network")),
            ),
        ),
        SectorVocab(
            "Hospitality",
            False,
            ("Hotels", "Resorts", "Hospitality", "Inns"),
            70_000,
            (
                S("Hospitality", "hotel group", "runs city hotels and conference venues",
                  ("City hotels", "Conference venues", "Restaurants", "Event catering"),
                  ("business travellers", "event organisers", "tourists"),
                  ("a boutique hotel brand", "a new conference centre")),
            ),
        ),
        SectorVocab(
            "Construction",
            False,
            ("Construction", "Builders", "Contracting", "Civil Works"),
            230_000,
            (
                S("Construction", "construction company", "builds schools, offices and housing",
                  ("Commercial construction", "Housing", "Refurbishment", "Project management"),
                  ("public authorities", "property developers", "housing associations"),
                  ("a timber-frame housing range", "a modular building service")),
                S("Construction", "civil engineering contractor", "builds roads and bridges",
                  ("Roads", "Bridges", "Rail works", "Earthworks"),
                  ("public authorities", "rail operators", "port authorities"),
                  ("a low-carbon asphalt", "a bridge inspection service")),
            ),
        ),
        SectorVocab(
            "Telecommunications",
            False,
            ("Telecom", "Networks", "Communications", "Fibre"),
            350_000,
            (
                S("Telecommunications", "fibre broadband provider",
                  "builds fibre networks for homes and businesses",
                  ("Fibre broadband", "Business internet", "Cloud telephony", "Mobile plans"),
                  ("households", "small businesses", "municipalities"),
                  ("gigabit broadband in new towns", "a 5G business plan")),
            ),
        ),
        SectorVocab(
            "Media",
            False,
            ("Media", "Publishing", "Studios", "Broadcasting"),
            150_000,
            (
                S("Media", "publisher of regional newspapers",
                  "publishes regional newspapers and magazines",
                  ("Regional newspapers", "Magazines", "Digital advertising", "Podcasts"),
                  ("readers", "advertisers", "local businesses"),
                  ("a podcast network", "a new digital subscription")),
                S("Media", "video production studio", "produces TV series and commercials",
                  ("TV series", "Commercials", "Post-production", "Studio rental"),
                  ("broadcasters", "streaming services", "advertising agencies"),
                  ("a virtual production stage", "a documentary series")),
            ),
        ),
        SectorVocab(
            "Government",
            False,
            ("County Council", "Port Authority", "Municipal Services", "Public Works"),
            80_000,
            (
                S("Government", "local authority", "provides public services to residents",
                  ("Waste collection", "Road maintenance", "Social services",
                   "Public libraries"),
                  ("residents", "local businesses", "schools"),
                  ("an online permit service", "a new recycling centre")),
            ),
        ),
    )
}

TARGET_SECTORS = tuple(s for s, v in SECTORS.items() if v.target)
OTHER_SECTORS = tuple(s for s, v in SECTORS.items() if not v.target)

NAME_PREFIXES: dict[str, tuple[str, ...]] = {
    "english": (
        "Brightwater", "Oakridge", "Silverpine", "Harborline", "Redcliff", "Northgate",
        "Bluestone", "Kestrel", "Meadowbank", "Copperfield", "Granite Peak", "Tallow", "Westbrook",
        "Fairhaven", "Larkspur", "Stonebridge", "Ashford", "Highmoor", "Blackwater", "Riverbend",
        "Greyhawk", "Summit Ridge", "Lakeshore", "Pinecrest", "Driftwood", "Ironvale", "Elmstead",
        "Foxglove", "Windmere", "Cobalt Bay", "Hollowbrook", "Saltmarsh", "Thornbury", "Wrenfield",
        "Caldera", "Bramblewood", "Quarrystone", "Marlowe", "Eastwick", "Hearthstone",
        "Juniper Hill", "Kingsmere", "Lanternfish", "Millbrook", "Netherby", "Orchard Lane",
        "Pembrook", "Ravenscar", "Seabright", "Tamarack", "Upland", "Verity", "Whitlock", "Yarrow",
        "Alderney", "Bellwether", "Crosswind", "Dunmore", "Everly", "Glenhaven",
    ),
    "german": (
        "Falkenberg", "Lindauer", "Steinhoff", "Weserland", "Brunnhofer", "Eichwald", "Mosel",
        "Hanseatic", "Taunus", "Kranich", "Sonnenfeld", "Alpenblick",
    ),
    "french": (
        "Rivoli", "Beaumont", "Lavandière", "Clairval", "Montrose", "Valmonde", "Saint-Aubin",
        "Aubépine",
    ),
    "dutch": ("Zeeland", "Dijkstra", "Vlietland", "Oosterhout", "Windhoek", "Hollandse"),
    "swedish": ("Norrsken", "Vänern", "Björkdal", "Fjällvik", "Sjöberg"),
    "spanish": ("Ribera", "Sierra Alta", "Costa Verde", "Olivar", "Montecillo"),
    "italian": ("Brenta", "Valdoro", "Monteverde", "Lagoscuro", "Castelmare"),
    "polish": ("Wisłan", "Mazowia", "Bursztyn", "Karpaty", "Odra"),
    "portuguese": ("Serra Azul", "Ipê", "Rio Claro", "Vale Dourado"),
    "indian": ("Sahyadri", "Kaveri", "Deccan", "Shree Ganga", "Vasant"),
    "japanese": ("Kasumi", "Hoshino", "Aozora", "Midori", "Sakuragawa"),
    "arabic": ("Al Noor", "Falcon Gulf", "Oasis", "Dune Crest"),
    "chinese": ("Jade Harbour", "Lion City", "Orchid Bay", "Golden Junk"),
    "afrikaans": ("Karoo", "Highveld", "Blouberg", "Fynbos"),
}

USERS: tuple[tuple[str, str, str, str], ...] = (
    # (full name, role, title, email local part)
    ("Megan Clarke", "seller", "Account Executive", "megan.clarke"),
    ("Daniel Weber", "seller", "Account Executive, DACH", "daniel.weber"),
    ("Sofia Lindqvist", "seller", "Account Executive, Nordics", "sofia.lindqvist"),
    ("Julien Moreau", "seller", "Account Executive, France and Benelux", "julien.moreau"),
    ("Priya Nair", "seller", "Senior Account Executive", "priya.nair"),
    ("Carlos Mendoza", "seller", "Account Executive, Americas", "carlos.mendoza"),
    ("Rachel Turner", "sales_manager", "Regional Sales Manager", "rachel.turner"),
    ("Thomas Becker", "supervisor", "Sales Operations Supervisor", "thomas.becker"),
    ("Olivia Hayes", "admin", "CRM Administrator", "olivia.hayes"),
    ("Noor Haddad", "marketing", "Marketing Manager", "noor.haddad"),
    ("Lucas Oliveira", "marketing", "Demand Generation Specialist", "lucas.oliveira"),
)
VENDOR_DOMAIN = "keelson-analytics.com"

GOOD_TITLES: tuple[str, ...] = (
    "VP Supply Chain", "Chief Operating Officer", "IT Director", "Head of Logistics", "CFO",
    "Director of Operations", "Chief Information Officer", "VP Finance",
    "Head of Supply Chain Planning", "Director, IT Infrastructure", "Chief Supply Chain Officer",
    "Head of Operations", "VP Operations", "Finance Director", "Director of Logistics",
    "Head of IT", "Chief Financial Officer", "VP Information Technology",
)
# Against the default ICP: a junior title in a wanted department, or a senior one elsewhere,
# is "partly met"; these are neither.
PARTIAL_TITLES: tuple[str, ...] = (
    "Procurement Manager", "Warehouse Supervisor", "Logistics Coordinator", "Inventory Analyst",
    "Buyer", "Operations Analyst", "Data Analyst", "Supply Chain Intern", "Accounts Payable Clerk",
    "Head of Marketing", "Sales Director", "Chief Marketing Officer",
)
UNRELATED_TITLES: tuple[str, ...] = (
    "Software Engineer", "Marketing Coordinator", "Office Manager", "Shift Lead",
    "HR Business Partner", "Customer Service Manager", "Product Manager", "Legal Counsel",
    "Communications Manager",
)

TOPICS: tuple[str, ...] = (
    "Interested in demand forecasting", "Webinar: warehouse automation",
    "Inventory optimisation pilot", "Request for a product demo", "Pricing for 50 users",
    "Whitepaper download: S&OP maturity", "Replace spreadsheets for supply planning",
    "Trade show follow-up", "Question about ERP connectors", "Transport cost analytics",
    "Supplier risk dashboard", "Free trial request", "Webinar: reducing stock-outs",
    "Looking for a warehouse KPI dashboard", "Evaluating supply chain analytics vendors",
    "Procurement spend analysis", "Interested in a proof of concept", "Case study request",
    "Need better visibility on inbound freight", "Budget planning for next fiscal year",
    "Contact us form", "Newsletter sign-up", "Webinar: AI for inventory planning",
    "Call back request",
)
SOURCES: tuple[str, ...] = (
    "Web", "Event", "Webinar", "Employee referral", "Partner", "Cold call", "Trade show",
    "LinkedIn",
)
EVENTS: tuple[str, ...] = (
    "LogiMAT", "Supply Chain Summit", "Retail Ops Forum", "Manufacturing Week",
    "the Distribution Expo", "our spring roadshow",
)

PERSONAL_DOMAINS_ANY: tuple[str, ...] = (
    "gmail.com", "outlook.com", "yahoo.com", "gmx.de", "hotmail.co.uk",
)
DISPOSABLE_DOMAINS: tuple[str, ...] = ("mailinator.com", "10minutemail.com", "guerrillamail.com")
ROLE_MAILBOXES: tuple[str, ...] = ("info", "sales", "contact", "purchasing")

ERP_SYSTEMS: tuple[str, ...] = (
    # Every name carries a keyword (SAP or ERP), whichever sentence it lands in.
    "SAP S/4HANA", "SAP ECC", "Oracle NetSuite ERP", "Infor CloudSuite ERP", "Epicor ERP",
    "SAP Business One", "the Microsoft Dynamics 365 ERP",
)
ERP_SENTENCES: tuple[str, ...] = (
    "Its plants and warehouses run on {erp}, with a warehouse management system (WMS) "
    "in every distribution centre.",
    "In {year} the company moved its finance and operations onto {erp}.",
    "Orders, stock and invoicing flow through {erp}, and planners use supply chain "
    "planning software to balance inventory across sites.",
    "The operations team recently rolled out a new warehouse management system alongside {erp}.",
    "A single system, {erp}, connects purchasing, production and distribution.",
)
ERP_PRODUCTS: tuple[str, ...] = (
    "EDI and ERP integration for customers", "Shipment visibility linked to customers' WMS",
    "SAP-connected order portal for trade customers",
)

OVERVIEW_OPENERS: tuple[str, ...] = (
    "{name} is {a_what_it_is} based in {city}, {country}.",
    "Founded in {founded} in {city}, {name} {what_it_does}.",
    "Headquartered in {city}, {country}, {name} is {a_what_it_is}.",
    "From its base in {city}, {name} {what_it_does}.",
    "{name}, {a_what_it_is} from {city}, has been in business since {founded}.",
)
OVERVIEW_SCALE: tuple[str, ...] = (
    "The company employs around {employees} people across {sites} sites.",
    "Some {employees} employees work at its {sites} locations in {market}.",
    "With about {employees} staff, it operates {sites} sites serving {market}.",
)
OVERVIEW_SCALE_NO_COUNT: tuple[str, ...] = (
    "The company operates {sites} sites serving {market}.",
    "It has grown steadily and now runs {sites} locations in {market}.",
)
OVERVIEW_CUSTOMERS: tuple[str, ...] = (
    "Its customers include {customers_a} and {customers_b}.",
    "It mainly serves {customers_a}, with a growing share of business from {customers_b}.",
    "Most of its revenue comes from {customers_a}.",
    "Long-standing relationships with {customers_a} are at the heart of the business.",
)
OVERVIEW_DOES: tuple[str, ...] = (
    "Day to day, it {what_it_does}.", "In practice the company {what_it_does}.",
    "The business {what_it_does}.",
)
MISSIONS: tuple[str, ...] = (
    "To keep {customers_a} running with dependable products and honest service.",
    "Our mission is to make life simpler for {customers_a}, every single day.",
    "We exist to help {customers_a} do more with less, sustainably.",
    "To be the most trusted partner of {customers_a} in {market}.",
    "Quality without shortcuts, delivered on time to {customers_a}.",
    "To grow together with {customers_a} while halving our carbon footprint by 2035.",
)

FINANCE_HEALTH_UP: tuple[str, ...] = (
    "Revenue grew {growth}% in FY{year}, helped by new customers and firmer prices; "
    "the balance sheet carries little debt.",
    "Management reports healthy margins and strong cash generation, and expects growth to "
    "continue at a similar pace.",
    "The company has funded its expansion from operating cash flow and remains "
    "comfortably profitable.",
    "After a strong year, the board approved further investment in capacity and digital tools.",
)
FINANCE_HEALTH_FLAT: tuple[str, ...] = (
    "Sales were broadly flat in FY{year}; cost discipline kept the business profitable.",
    "Results were stable, with modest price increases offsetting lower volumes.",
)
FINANCE_HEALTH_DOWN: tuple[str, ...] = (
    "Revenue fell {decline}% in FY{year} as demand softened; management has launched a "
    "cost-saving programme.",
    "A weaker year squeezed margins, and the company is renegotiating its credit lines.",
)
OWNERSHIP_PRIVATE: tuple[str, ...] = (
    "Privately held", "Family-owned", "Private equity backed", "Employee-owned",
    "Privately held (founder-led)",
)
PE_FUNDS: tuple[str, ...] = (
    "Harbourview Partners", "Castellan Capital", "Northlight Equity", "Arden Growth Fund",
)

NEWS_KINDS: tuple[str, ...] = ("launch", "leadership", "contract", "award", "community")
NEWS_TITLES: dict[str, tuple[str, ...]] = {
    "launch": (
        "{name} launches {item}", "{name} unveils {item}",
        "{name} introduces {item} for {customers_a}",
    ),
    "leadership": (
        "{name} appoints {person} as {role}", "{person} named new {role} of {name}",
        "{name} announces leadership change: {person} to become {role}",
    ),
    "contract": (
        "{name} wins {years}-year contract with {partner}",
        "{name} signs supply agreement with {partner}",
        "{partner} selects {name} as preferred partner",
    ),
    "award": (
        "{name} named {award}", "{name} receives {award} award",
    ),
    "community": (
        "{name} employees volunteer {hours} hours for local charities",
        "{name} partners with local schools on a STEM programme",
        "{name} donates to {city} food bank",
    ),
}
NEWS_BODIES: dict[str, tuple[str, ...]] = {
    "launch": (
        "{full_name} has launched {item}.",
        "The launch follows two years of development work with {customers_a}.",
        "Early customers report faster turnaround and fewer errors.",
        "The company expects the new offer to contribute to growth next year.",
        "It will be available across {market} from next quarter.",
    ),
    "leadership": (
        "{full_name} has appointed {person} as {role}, effective {start}.",
        "{person_first} joins from {partner}, where {pronoun} spent {years} years in senior roles.",
        "The appointment follows the retirement of the previous office holder.",
        "The board said the change would support the next phase of growth.",
        "{person_first} will be based at the head office in {city}.",
    ),
    "contract": (
        "{full_name} has signed a {years}-year agreement with {partner}, worth an estimated "
        "${value} million.", "The deal covers {partner}'s operations across {market}.",
        "It is the largest contract in the company's history.",
        "Work under the agreement starts next month.",
    ),
    "award": (
        "{full_name} has been recognised as {award}.",
        "The jury praised its record on quality and customer service.",
        "Chief Executive {person} dedicated the award to the company's employees.",
        "It is the {ordinal} time the company has been shortlisted.",
    ),
    "community": (
        "Employees of {full_name} took part in a volunteering programme in and around {city}.",
        "The company matched every hour with a donation to local causes.",
        "Projects included school repairs, food bank shifts and river clean-ups.",
        "The programme will be repeated next year.",
    ),
}
LEADERSHIP_ROLES: tuple[str, ...] = (
    "Chief Executive Officer", "Chief Financial Officer", "Chief Operating Officer",
    "Chief Information Officer", "Chief Supply Chain Officer",
)
AWARDS: tuple[str, ...] = (
    "Employer of the Year", "Supplier of the Year", "a Top 50 Fastest-Growing Company",
    "Sustainability Leader", "Best Place to Work", "Innovation Champion",
)
PARTNER_NAMES: tuple[str, ...] = (
    "Calder Foods", "Meridian Home Stores", "Vantor Automotive", "Halden Pharma",
    "Crestline Retail", "Tamsin Breweries", "Orbis Rail", "Marlow Hospitals",
)

ACTIVITY_SUBJECTS: tuple[str, ...] = (
    "Intro call: {topic}", "Re: {topic}", "Follow-up from {event}", "Demo: supply chain analytics",
    "Pricing question", "Quarterly business review", "Discovery workshop",
    "Re: proposal and next steps", "Coffee at {event}", "Reference call with a customer",
)
OPPORTUNITY_NAMES: tuple[str, ...] = (
    "Demand forecasting rollout", "Inventory analytics pilot", "Warehouse KPI dashboards",
    "Supplier risk module", "Transport cost analytics", "S&OP planning suite",
    "Renewal and expansion", "Procurement spend analytics",
)
DISQUALIFY_REASONS: tuple[str, ...] = (
    "Lost", "Cannot contact", "No longer interested", "Canceled",
)
# fmt: on
