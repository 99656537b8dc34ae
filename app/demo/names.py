"""Built-in word lists for demo data (no Faker at runtime): South African names, places and a catalogue
vocabulary. Lists, not generators, so the same seed always picks the same words."""
from __future__ import annotations

FIRST_NAMES = (
    "Thandi", "Sipho", "Lerato", "Bongani", "Nomvula", "Thabo", "Zanele", "Kagiso", "Ayanda", "Lindiwe",
    "Pieter", "Annelie", "Johan", "Marike", "Francois", "Elna", "Riaan", "Chantelle", "Willem", "Liezl",
    "James", "Sarah", "Michael", "Emma", "David", "Olivia", "Daniel", "Jessica", "Matthew", "Megan",
    "Priya", "Ravi", "Ayesha", "Yusuf", "Fatima", "Imran", "Naledi", "Tumelo", "Kabelo", "Palesa",
    "Mandla", "Nandi", "Sizwe", "Busisiwe", "Lwazi", "Refilwe", "Tshepo", "Karabo", "Mpho", "Zodwa",
    "Chloé", "Zoë", "Renée", "André", "Hélène", "Siyabonga", "Ntombi", "Aisha", "Keegan", "Tayla",
)

LAST_NAMES = (
    "Nkosi", "Dlamini", "Mokoena", "Ndlovu", "Khumalo", "Mahlangu", "Botha", "van der Merwe", "Pretorius",
    "du Plessis", "Smith", "Jacobs", "Naidoo", "Pillay", "Govender", "Adams", "Williams", "Petersen",
    "Zulu", "Mthembu", "Sithole", "Molefe", "Mabaso", "Venter", "Nel", "Coetzee", "Fourie", "Kruger",
    "Steyn", "Louw", "Hendricks", "Isaacs", "Moodley", "Reddy", "Chetty", "Patel", "Mazibuko", "Ngcobo",
    "Radebe", "Shabalala", "O'Brien", "Müller", "Ferreira", "Swanepoel", "Booysen", "Davids", "Abrahams",
)

# (city, district/suburb, postcode) by region; the region decides which branch an order usually goes to.
PLACES = {
    "Western Cape": (
        ("Cape Town", "Gardens", "8001"), ("Cape Town", "Sea Point", "8005"), ("Cape Town", "Observatory", "7925"),
        ("Cape Town", "Claremont", "7708"), ("Cape Town", "Woodstock", "7925"), ("Cape Town", "Durbanville", "7550"),
        ("Stellenbosch", "Die Boord", "7600"), ("Stellenbosch", "Idas Valley", "7600"),
        ("Somerset West", "Heldervue", "7130"), ("Paarl", "Northern Paarl", "7646"),
    ),
    "Gauteng": (
        ("Johannesburg", "Melville", "2092"), ("Johannesburg", "Rosebank", "2196"), ("Johannesburg", "Soweto", "1804"),
        ("Johannesburg", "Sandton", "2196"), ("Johannesburg", "Parkhurst", "2193"), ("Pretoria", "Hatfield", "0083"),
        ("Pretoria", "Brooklyn", "0181"), ("Centurion", "Lyttelton", "0157"), ("Midrand", "Halfway House", "1685"),
    ),
}

STREETS = (
    "Long Street", "Bree Street", "Kloof Street", "Main Road", "Victoria Road", "Church Street", "Dorp Street",
    "Jan Smuts Avenue", "Oxford Road", "Rivonia Road", "4th Avenue", "7th Street", "Beyers Naudé Drive",
    "Vilakazi Street", "Nelson Mandela Drive", "Voortrekker Road", "Birkenhead Road", "Bird Street",
    "Hatfield Street", "Louis Botha Avenue", "Queen Street", "Plein Street", "Adderley Street",
)

COMPANIES = (
    "Fynbos Interiors (Pty) Ltd", "Karoo Coffee Co.", "Highveld Events CC", "Table Bay Traders",
    "Jacaranda Studios", "Protea Office Supplies", "Ubuntu Catering", "Baobab Design House",
)

# category -> (code, brands, product nouns, price range in rand, variant attribute kind)
CATALOGUE = {
    "Apparel": ("APP", ("Cape Cotton", "Mzansi Wear", "Karoo Knit"),
                ("Crew T-Shirt", "Hoodie", "Linen Shirt", "Chino Shorts", "Rain Jacket", "Polo Shirt",
                 "Knit Jersey", "Denim Jacket", "Track Pants", "Summer Dress"), (149, 1299), "size-colour"),
    "Footwear": ("FTW", ("Veldskoen Co.", "Stride", "Table Mountain Trail"),
                 ("Veldskoen", "Trail Runner", "Canvas Sneaker", "Leather Sandal", "Hiking Boot"), (399, 2199),
                 "shoe-size"),
    "Homeware": ("HOM", ("Ubuntu Home", "Fynbos & Co.", "Clay Works"),
                 ("Cushion Cover", "Throw Blanket", "Ceramic Vase", "Table Runner", "Scented Candle",
                  "Woven Basket", "Linen Napkins"), (89, 899), "colour"),
    "Kitchen": ("KIT", ("Braai Master", "Rooibos Kitchen", "Karoo Kitchen"),
                ("Enamel Mug", "Chopping Board", "Potjie Pot", "Coffee Plunger", "Spice Grinder", "Braai Tongs"),
                (69, 1499), "colour"),
    "Beauty": ("BTY", ("Marula Glow", "Buchu Botanicals", "Rooibos Skin"),
               ("Face Serum", "Body Lotion", "Hand Cream", "Lip Balm", "Shower Gel", "Hair Oil"), (59, 699),
               "volume"),
    "Pantry": ("PAN", ("Karoo Pantry", "Cape Larder", "Mzansi Spice"),
               ("Rooibos Tea", "Biltong Spice", "Chutney", "Honey", "Rusks", "Peri-Peri Sauce"), (39, 249),
               "pack"),
    "Accessories": ("ACC", ("Kalahari Leather", "Beadwork Co.", "Cape Sun"),
                    ("Leather Wallet", "Beaded Bracelet", "Sunhat", "Canvas Tote", "Sunglasses", "Belt"),
                    (99, 999), "colour"),
}

ADJECTIVES = ("Classic", "Everyday", "Heritage", "Coastal", "Urban", "Organic", "Premium", "Essential")
COLOURS = ("Black", "White", "Navy", "Olive", "Sand", "Terracotta", "Charcoal", "Ochre")
SIZES = ("XS", "S", "M", "L", "XL", "XXL")
SHOE_SIZES = ("5", "6", "7", "8", "9", "10", "11")
VOLUMES = ("50 ml", "100 ml", "250 ml")
PACKS = ("Single", "Pack of 3", "Pack of 6")

GIFT_NOTES = (
    "Happy birthday! Love, Mom", "Congratulations on the new home", "Baie geluk!", "Thank you for everything",
    "Merry Christmas from all of us", "Get well soon", "Happy anniversary ❤", "Welcome to the team",
)
CUSTOMER_NOTES = (
    "Please ring the bell twice", "Leave with the security guard", "Call before delivery",
    "Gate code 4521", "Deliver after 14:00 please", "Fragile, handle with care", "No plastic packaging please",
)
CANCEL_REASONS = (
    "Customer changed their mind", "Out of stock", "Duplicate order", "Payment not received in time",
    "Delivery address outside our area", "Customer found a better price",
)
RETURN_REASONS = (
    "Wrong size", "Item damaged in transit", "Not as described", "Wrong colour delivered", "No longer needed",
)
COURIERS = ("The Courier Guy", "Aramex", "DSV", "Pargo", "PostNet")
DRIVERS = ("Andile Zungu", "Pieter Muller", "Themba Nxumalo", "Ruan Visser")
