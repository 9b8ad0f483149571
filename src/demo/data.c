/* The fixed word lists the demo database is made of (see demo_int.h): depots,
 * vehicle models, people's names, places, purposes, cargo and log phrases.
 * Plain data, UTF-8, deliberately full of what a data browser must render
 * well: accents, CJK, apostrophes, quotes, commas, newlines, long text.
 * Names, companies and addresses are invented; phone numbers are Ofcom's
 * drama range. */
#include "demo/demo_int.h"

#include "util/mem.h"

#define DEMO_COUNT(name) const size_t demo_n##name = SEEKI_ARRAY_LEN(demo_##name)

const struct demo_depot demo_depots[] = {
    {"Leeds Hub",
     "Leeds",
     "Unit 12, Riverside Way, Stourton, Leeds LS10 1AB",
     5377400,
     -151800,
     2011,
     3,
     14,
     1,
     16,
     {37, 99, 235}},
    {"Manchester West",
     "Manchester",
     "3 Mosley Road, Trafford Park, Manchester M17 1AB",
     5346450,
     -231200,
     2014,
     9,
     1,
     1,
     16,
     {22, 163, 74}},
    {"Birmingham Midlands",
     "Coleshill",
     "Hams Hall Distribution Park, Coleshill B46 1AB",
     5251300,
     -170000,
     2016,
     5,
     23,
     0,
     24,
     {220, 38, 38}},
    {"Bristol Port",
     "Bristol",
     "Gate 7, Avonmouth Dock, Bristol BS11 9AB",
     5150300,
     -269800,
     2018,
     2,
     5,
     0,
     0,
     {0, 0, 0}},
    {"Glasgow Eurocentral",
     "Motherwell",
     "Eurocentral, Maxim Park, Motherwell ML1 4AB",
     5583300,
     -398000,
     2019,
     11,
     11,
     -1,
     12,
     {147, 51, 234}},
    {"London Park Royal",
     "London",
     "Abbey Road, Park Royal, London NW10 7AB",
     5153000,
     -27000,
     2021,
     6,
     28,
     1,
     0,
     {0, 0, 0}},
};
DEMO_COUNT(depots);

const char *const demo_licences[] = {"B", "C1", "C", "C+E"};
DEMO_COUNT(licences);

/*  make, model, fuel, body, licence, payload kg, seats, length cm, battery kWh,
 *  range km, tank l, km/year, first year, speed km/h, weight */
const struct demo_model demo_models[] = {
    {"Ford", "Transit Custom", "diesel", "panel van", 0, 1100, 3, 497, 0, 0, 70, 32000, 2016, 52,
     14},
    {"Ford", "E-Transit", "electric", "panel van", 0, 1600, 3, 598, 68, 317, 0, 28000, 2022, 50, 8},
    {"Mercedes-Benz", "Sprinter 316 CDI", "diesel", "panel van", 0, 1400, 3, 593, 0, 0, 71, 35000,
     2016, 54, 12},
    {"Mercedes-Benz", "eSprinter", "electric", "panel van", 0, 1200, 3, 593, 113, 440, 0, 30000,
     2023, 52, 6},
    {"Volkswagen", "Crafter", "diesel", "panel van", 0, 1300, 3, 599, 0, 0, 75, 33000, 2017, 54, 9},
    {"Renault", "Master E-Tech", "electric", "panel van", 0, 1000, 3, 557, 87, 410, 0, 26000, 2022,
     50, 5},
    {"Iveco", "Daily 35S16", "diesel", "chassis cab", 1, 1500, 3, 610, 0, 0, 100, 36000, 2016, 55,
     6},
    {"Iveco", "Daily Natural Power", "CNG", "panel van", 1, 1300, 3, 610, 0, 0, 0, 34000, 2019, 55,
     3},
    {"Citroën", "ë-Dispatch", "electric", "panel van", 0, 1000, 3, 495, 75, 350, 0, 25000, 2021, 48,
     5},
    {"Toyota", "Hilux Invincible", "diesel", "pickup", 0, 1000, 5, 533, 0, 0, 80, 24000, 2017, 56,
     4},
    {"Toyota", "Proace City Electric", "electric", "small van", 0, 760, 2, 440, 50, 280, 0, 22000,
     2022, 46, 4},
    {"Škoda", "Octavia Estate iV", "hybrid", "estate car", 0, 500, 5, 469, 13, 60, 40, 21000, 2021,
     60, 4},
    {"Toyota", "Corolla Touring Sports", "hybrid", "estate car", 0, 450, 5, 465, 0, 0, 43, 20000,
     2019, 60, 4},
    {"Nissan", "Leaf e+", "electric", "hatchback", 0, 400, 5, 449, 62, 385, 0, 17000, 2020, 58, 3},
    {"Vauxhall", "Combo Cargo", "petrol", "small van", 0, 800, 2, 440, 0, 0, 50, 23000, 2018, 48,
     3},
    {"MAN", "TGL 12.250", "diesel", "rigid truck", 2, 6500, 2, 820, 0, 0, 200, 70000, 2016, 60, 5},
    {"Scania", "R 450", "diesel", "tractor unit", 3, 26000, 2, 600, 0, 0, 700, 110000, 2016, 66, 5},
    {"DAF", "XF 480", "diesel", "tractor unit", 3, 26000, 2, 600, 0, 0, 850, 115000, 2018, 66, 4},
    {"Volvo", "FH Electric", "electric", "tractor unit", 3, 26000, 2, 600, 540, 300, 0, 80000, 2023,
     62, 3},
};
DEMO_COUNT(models);

const char *const demo_colours[] = {"Frozen White",   "Magnetic Grey", "Bleu Électrique",
                                       "Obsidian Black", "Racing Red",    "Moondust Silver"};
DEMO_COUNT(colours);

const char *const demo_features[] = {"reverse_camera", "cruise_control", "dashcam",
                                        "tail_lift",      "roof_rack",      "ply_lining",
                                        "tow_bar",        "lane_assist"};
DEMO_COUNT(features);

const char *const demo_vehicle_notes[] = {
    "Winter tyres fitted",
    "Dent on rear nearside door, reported by driver",
    "Tail lift serviced; next LOLER inspection due in 6 months",
    "Driver says \"pulls left\" under braking. Booked in.",
    "Spare key held at depot reception",
    "Dashcam replaced (old unit faulty)",
    "Ply lining damaged - replace before next pallet job",
    "MOT advisory: front brake discs worn, slight corrosion",
    "Service due.\nBooked at main dealer for Tuesday, 08:00.",
    "Charging cable missing — check with Manchester West",
    "On loan to the Glasgow depot, March–April",
    " Windscreen chip, passenger side ",
    "Zoë reports AdBlue warning light; topped up 10 L",
    "Reserved for the Müller Dairy contract",
    "Sat-nav maps out of date (2023 edition)",
    "Do not use for chilled goods: reefer unit removed",
};
DEMO_COUNT(vehicle_notes);

const char *const demo_long_notes[] = {
    "Bought second-hand from a rental company with a full service history. At purchase the "
    "near-side sliding door needed adjusting and the load-space lighting was replaced with LED "
    "strips. The previous owner fitted a bulkhead with a window, which some drivers dislike "
    "because of the glare at night; ask the workshop before removing it, as the racking is "
    "bolted through it. Keep the original keys in the safe in the transport office.",
    "Insurance claim 2025/117: low-speed collision in the Trafford Park yard, no injuries. The "
    "rear bumper, off-side light cluster and reversing sensor were replaced under the policy, "
    "and the assessor noted earlier damage to the tail lift that the claim does not cover.\n"
    "Until the tail lift is repaired the vehicle must not be booked for pallet deliveries; "
    "hand-ball jobs only. Contact the fleet manager before changing this note.",
};
DEMO_COUNT(long_notes);

const struct demo_person demo_showcase[] = {
    {"Margaret", "Okonkwo", "margaret", "okonkwo"},
    {"José", "García", "jose", "garcia"},
    {"Zoë", "Ashworth", "zoe", "ashworth"},
    {"Łukasz", "Nowak", "lukasz", "nowak"},
    {"太郎", "山田", "taro", "yamada"},
    {"Ngọc", "Nguyễn", "ngoc", "nguyen"},
    {"Siobhán", "O'Connor", "siobhan", "oconnor"},
    {"François", "Lefèvre", "francois", "lefevre"},
    {"Björn", "Andersson", "bjorn", "andersson"},
    {"Mehmet", "Öztürk", "mehmet", "ozturk"},
    {"Aleksandra", "Wiśniewska", "aleksandra", "wisniewska"},
    {"Olúwaseun", "Adébáyọ̀", "oluwaseun", "adebayo"},
};
DEMO_COUNT(showcase);

const struct demo_name demo_first_names[] = {
    {"James", "james"},   {"Amelia", "amelia"},   {"Mohammed", "mohammed"}, {"Olivia", "olivia"},
    {"Raj", "raj"},       {"Sophie", "sophie"},   {"Daniel", "daniel"},     {"Chloé", "chloe"},
    {"Tomasz", "tomasz"}, {"Aisha", "aisha"},     {"Liam", "liam"},         {"Grace", "grace"},
    {"Kwame", "kwame"},   {"Hannah", "hannah"},   {"Dmitri", "dmitri"},     {"Ellie", "ellie"},
    {"Seán", "sean"},     {"Priya", "priya"},     {"Connor", "connor"},     {"Fatima", "fatima"},
    {"Marek", "marek"},   {"Isla", "isla"},       {"Arjun", "arjun"},       {"Niamh", "niamh"},
    {"Ewan", "ewan"},     {"Léa", "lea"},         {"Callum", "callum"},     {"Yusuf", "yusuf"},
    {"Freya", "freya"},   {"Andrzej", "andrzej"}, {"Ruth", "ruth"},         {"Kofi", "kofi"},
    {"Megan", "megan"},   {"Stefan", "stefan"},   {"Jasmine", "jasmine"},   {"Rory", "rory"},
    {"Amara", "amara"},   {"Pavel", "pavel"},     {"Keeley", "keeley"},     {"Ian", "ian"},
};
DEMO_COUNT(first_names);

const struct demo_name demo_last_names[] = {
    {"Smith", "smith"},       {"Jones", "jones"},         {"Patel", "patel"},
    {"Williams", "williams"}, {"Brown", "brown"},         {"Taylor", "taylor"},
    {"Khan", "khan"},         {"Davies", "davies"},       {"Evans", "evans"},
    {"Wilson", "wilson"},     {"Kowalski", "kowalski"},   {"Thomas", "thomas"},
    {"Roberts", "roberts"},   {"Campbell", "campbell"},   {"Hughes", "hughes"},
    {"Ahmed", "ahmed"},       {"MacDonald", "macdonald"}, {"Murphy", "murphy"},
    {"Walker", "walker"},     {"Robinson", "robinson"},   {"Wright", "wright"},
    {"Thompson", "thompson"}, {"Novák", "novak"},         {"Müller", "muller"},
    {"Singh", "singh"},       {"Clarke", "clarke"},       {"Edwards", "edwards"},
    {"Green", "green"},       {"Hall", "hall"},           {"Wood", "wood"},
    {"Jackson", "jackson"},   {"Begum", "begum"},         {"O'Neill", "oneill"},
    {"Fraser", "fraser"},     {"Mensah", "mensah"},       {"Harris", "harris"},
    {"Lewis", "lewis"},       {"Young", "young"},         {"Kelly", "kelly"},
    {"Baker", "baker"},       {"da Silva", "dasilva"},
};
DEMO_COUNT(last_names);

const struct demo_place demo_places[] = {
    {"Leeds Hub", 5377400, -151800},
    {"Manchester West", 5346450, -231200},
    {"Birmingham Midlands", 5251300, -170000},
    {"Bristol Port", 5150300, -269800},
    {"Glasgow Eurocentral", 5583300, -398000},
    {"London Park Royal", 5153000, -27000},
    {"Port of Felixstowe", 5195600, 130500},
    {"Heathrow Cargo Centre", 5145900, -45300},
    {"DIRFT, Daventry", 5232800, -120700},
    {"Café Lumière, Brighton", 5082300, -13800},
    {"St James's University Hospital, Leeds", 5380700, -152000},
    {"Trafford Centre, Manchester", 5346700, -234800},
    {"NEC, Birmingham", 5245300, -171900},
    {"Cribbs Causeway, Bristol", 5152400, -259500},
    {"Ōsaka Foods UK, Milton Keynes", 5204000, -75900},
    {"Müller Dairy, Market Drayton", 5290200, -248400},
    {"Sheffield Forgemasters", 5340000, -143500},
    {"Port of Liverpool (Seaforth)", 5346200, -301700},
    {"Port of Immingham", 5363000, -18900},
    {"Hull Marina", 5374200, -33500},
    {"York, Clifton Moor Retail Park", 5399200, -110500},
    {"Newcastle Quayside", 5496900, -160500},
    {"Cardiff Bay", 5146400, -316300},
    {"Nottingham, Trent Bridge", 5293700, -113300},
    {"Oxford Science Park", 5171700, -122600},
    {"Cambridge Biomedical Campus", 5217500, 14000},
    {"Edinburgh, Leith Docks", 5597900, -317500},
    {"Aberdeen Harbour", 5714400, -208000},
    {"Dover Eastern Docks", 5112700, 133300},
    {"Swansea, Fabian Way", 5162500, -390000},
    {"Zürich Flughafen (via Eurotunnel)", 4745800, 855500},
    {"Rotterdam Europoort (via Hull ferry)", 5195000, 414000},
};
DEMO_COUNT(places);

const struct demo_purpose demo_purposes[] = {
    {"Scheduled delivery", 30, DEMO_CARGO_GOODS},
    {"Multi-drop delivery round", 15, DEMO_CARGO_GOODS},
    {"Customer collection", 12, DEMO_CARGO_COLLECT},
    {"Depot transfer", 10, DEMO_CARGO_NONE},
    {"Return to depot", 8, DEMO_CARGO_EMPTY},
    {"Urgent same-day delivery", 6, DEMO_CARGO_GOODS},
    {"Chilled delivery", 6, DEMO_CARGO_CHILLED},
    {"Service appointment", 4, DEMO_CARGO_NONE},
    {"Training run with new driver", 2, DEMO_CARGO_NONE},
};
DEMO_COUNT(purposes);

const char *const demo_long_purposes[] = {
    "Collection of returned pallets from ",
    ". The customer asked that the driver report to the "
    "goods-in office first, as the gatehouse is unmanned after 16:00; use the intercom on the "
    "left of the barrier and quote the booking reference. Pallets must be counted and "
    "photographed before loading, and broken pallets left on site with a note on the POD. "
    "Call the transport office if fewer than 10 pallets are ready.",
    "Replacement run for a failed delivery to ",
    " earlier in the week.\nThe original consignment "
    "was refused because the cartons were marked \"this way up\" but arrived on their side; the "
    "customer has agreed to accept a re-delivery provided each carton is inspected at loading "
    "and the driver obtains a signature from the warehouse supervisor, not reception. "
    "Photographs of the load are required on the handheld before departure.",
    "Driver assessment: drive to ",
    " and back with an assessor on board, covering motorway, urban "
    "and rural sections, a reversing exercise at the destination yard and a walk-round check at "
    "both ends. The assessor's notes go to the training file, and the journey must not be used "
    "for live deliveries, even if there is space on the vehicle: customers' goods are not "
    "insured on assessment runs.",
};
DEMO_COUNT(long_purposes);

const struct demo_sku demo_skus[] = {
    {"PAL-EUR", "Euro pallet, mixed grocery", 3850, 12, false, false},
    {"PAL-UK", "UK pallet, building supplies", 7200, 8, false, false},
    {"CTN-S", "Small carton", 45, 120, false, false},
    {"CTN-L", "Large carton", 182, 60, false, false},
    {"PARCEL", "Parcel", 21, 200, false, false},
    {"TYRE-22", "Truck tyre 315/80 R22.5", 620, 16, false, false},
    {"DRUM-200", "200 L drum, lubricant (UN1993)", 1900, 4, true, false},
    {"GAS-CYL", "Gas cylinder, 47 kg propane", 800, 10, true, false},
    {"ROLL-CHL", "Roll cage, chilled dairy", 2600, 14, false, true},
    {"TOTE-FRZ", "Tote, frozen desserts", 140, 40, false, true},
};
DEMO_COUNT(skus);

const char *const demo_recipients[] = {"K. Müller",     "S. Ó Briain",   "Reception", "J. Patel",
                                          "M. Kowalczyk",  "Goods-in team", "A. O'Hara", "Y. Chen",
                                          "Security gate", "F. Benedetti"};
DEMO_COUNT(recipients);

const char *const demo_roads[] = {
    "M1", "M62", "A1(M)", "M6 Toll", "A38", "M8", "M4", "North Circular (A406)", "A14", "M25"};
DEMO_COUNT(roads);

const char *const demo_stations[] = {"Shell, Birch Services", "BP, Woolley Edge",
                                        "Esso, Toddington", "Texaco, Hilton Park",
                                        "Gulf, Abington"};
DEMO_COUNT(stations);

const char *const demo_fault_codes[] = {
    "P0420", "Catalyst system efficiency below threshold (bank 1)",
    "P0300", "Random/multiple cylinder misfire detected",
    "P0171", "System too lean (bank 1)",
    "P0128", "Coolant thermostat below regulating temperature",
    "P20EE", "SCR NOx catalyst efficiency below threshold",
    "P0A80", "Replace hybrid/EV battery pack",
};
DEMO_COUNT(fault_codes);

const char *const demo_driver_notes[] = {
    "Driver note: \"Customer asked us to use the side gate, code 4471\"",
    "Driver note: delivery refused, boxes damaged,\nphotos taken and sent to office",
    "Driver note: road closed at junction 27; diverted via A650, +25 min",
    "Driver note: loading bay 3 \"out of order\" again, used bay 5",
    "Driver note: fuel card declined at pump 4, paid with company card,\nreceipt in cab",
    "Driver note: 山田さん signed for the goods",
};
DEMO_COUNT(driver_notes);

const char *const demo_geofences[] = {"Depot yard",        "Customer site",
                                         "Low Emission Zone", "Port security area",
                                         "Weighbridge",       "Clean Air Zone (Birmingham)"};
DEMO_COUNT(geofences);
