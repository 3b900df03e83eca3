/** Name and place lists for UK-style synthetic people. Common names, so no real person is singled out. */

export const MALE_GIVEN = [
  'Oliver', 'George', 'Harry', 'Jack', 'Jacob', 'Noah', 'Charlie', 'Thomas', 'Oscar', 'William', 'James', 'Leo',
  'Alfie', 'Henry', 'Joshua', 'Freddie', 'Archie', 'Ethan', 'Isaac', 'Alexander', 'Joseph', 'Edward', 'Samuel', 'Max',
  'Mohammed', 'Daniel', 'Arthur', 'Lucas', 'David', 'John', 'Michael', 'Peter', 'Robert', 'Paul', 'Mark', 'Stephen',
  'Andrew', 'Christopher', 'Richard', 'Anthony', 'Kevin', 'Gary', 'Ian', 'Brian', 'Keith', 'Colin', 'Derek', 'Raymond',
  'Kenneth', 'Ronald', 'Dennis', 'Stanley', 'Harold', 'Arjun', 'Ravi', 'Imran', 'Kwame', 'Tomasz', 'Sean', 'Rhys',
] as const;

export const FEMALE_GIVEN = [
  'Olivia', 'Amelia', 'Isla', 'Ava', 'Emily', 'Sophia', 'Grace', 'Mia', 'Poppy', 'Ella', 'Lily', 'Evie', 'Isabella',
  'Sophie', 'Ivy', 'Freya', 'Harper', 'Willow', 'Charlotte', 'Jessica', 'Sarah', 'Emma', 'Laura', 'Rachel', 'Claire',
  'Helen', 'Karen', 'Susan', 'Julie', 'Nicola', 'Joanne', 'Lisa', 'Michelle', 'Angela', 'Tracey', 'Deborah', 'Patricia',
  'Margaret', 'Elizabeth', 'Mary', 'Jean', 'Joan', 'Dorothy', 'Doris', 'Irene', 'Sheila', 'Brenda', 'Pauline', 'Valerie',
  'Priya', 'Aisha', 'Fatima', 'Amara', 'Zofia', 'Siobhan', 'Bethan', 'Niamh', 'Chloe', 'Hannah', 'Megan',
] as const;

export const FAMILY = [
  'Smith', 'Jones', 'Williams', 'Taylor', 'Brown', 'Davies', 'Evans', 'Wilson', 'Thomas', 'Johnson', 'Roberts',
  'Robinson', 'Thompson', 'Wright', 'Walker', 'White', 'Edwards', 'Hughes', 'Green', 'Hall', 'Lewis', 'Harris',
  'Clarke', 'Patel', 'Jackson', 'Wood', 'Turner', 'Martin', 'Cooper', 'Hill', 'Ward', 'Morris', 'Moore', 'Clark',
  'Lee', 'King', 'Baker', 'Harrison', 'Morgan', 'Allen', 'James', 'Scott', 'Phillips', 'Watson', 'Davis', 'Parker',
  'Price', 'Bennett', 'Young', 'Griffiths', 'Mitchell', 'Kelly', 'Cook', 'Carter', 'Richardson', 'Bailey', 'Collins',
  'Bell', 'Shaw', 'Murphy', 'Miller', 'Cox', 'Richards', 'Khan', 'Marshall', 'Anderson', 'Simpson', 'Ellis', 'Adams',
  'Singh', 'Begum', 'Wilkinson', 'Foster', 'Chapman', 'Powell', 'Webb', 'Rogers', 'Gray', 'Mason', 'Ali', 'Hunt',
  'Hussain', 'Campbell', 'Matthews', 'Owen', 'Palmer', 'Holmes', 'Mills', 'Barnes', 'Knight', 'Lloyd', 'Butler',
  "O'Brien", "O'Connor", 'Smith-Jones', 'Nowak', 'Okafor', 'Mensah', 'Kowalski', 'Chen', 'Nguyen', 'Ahmed',
] as const;

export const STREET_NAMES = [
  'Church', 'Station', 'Victoria', 'Park', 'Mill', 'Manor', 'Queens', 'Kings', 'Albert', 'Grange', 'Chapel',
  'Springfield', 'Highfield', 'Windsor', 'York', 'New', 'Green', 'Orchard', 'Meadow', 'Beech', 'Oak', 'Willow',
  'Hawthorn', 'Elm', 'Cedar', 'Moor', 'Bridge', 'School', 'Well', 'Castle', 'Abbey', 'Priory', 'Ash', 'Rose & Crown',
] as const;

export const STREET_SUFFIXES = ['Road', 'Street', 'Lane', 'Avenue', 'Close', 'Drive', 'Grove', 'Way', 'Crescent', 'Terrace', 'Gardens', 'Court'] as const;

/** Synthetic localities: a name, its towns, and a real postcode area with the districts used for the towns. */
export interface LocalityPlace {
  name: string;
  county: string;
  postcodeArea: string;
  towns: ReadonlyArray<{ name: string; districts: readonly number[] }>;
}

export const PLACES: readonly LocalityPlace[] = [
  { name: 'Airedale and Wharfe', county: 'West Yorkshire', postcodeArea: 'BD', towns: [
    { name: 'Keighley', districts: [20, 21, 22] }, { name: 'Shipley', districts: [17, 18] }, { name: 'Bingley', districts: [16] }, { name: 'Ilkley', districts: [29] }] },
  { name: 'Severnside', county: 'Gloucestershire', postcodeArea: 'GL', towns: [
    { name: 'Gloucester', districts: [1, 2, 3, 4] }, { name: 'Stroud', districts: [5, 6] }, { name: 'Cheltenham', districts: [50, 51, 52, 53] }] },
  { name: 'Colne Valley', county: 'Greater London', postcodeArea: 'UB', towns: [
    { name: 'Uxbridge', districts: [8, 10] }, { name: 'Hayes', districts: [3, 4] }, { name: 'West Drayton', districts: [7] }, { name: 'Ruislip', districts: [9] }] },
  { name: 'Mendip Vale', county: 'Somerset', postcodeArea: 'BA', towns: [
    { name: 'Wells', districts: [5] }, { name: 'Frome', districts: [11] }, { name: 'Shepton Mallet', districts: [4] }, { name: 'Glastonbury', districts: [6] }] },
];

/** Letters allowed in the inward code's unit part of a UK postcode (no C I K M O V). */
export const POSTCODE_UNIT_LETTERS = 'ABDEFGHJLNPQRSTUWXYZ';
