package fhirtest

// Name pools for clinical patients: the sandbox's basic lists (generate_people.go) plus more
// common US names, so that a 250-patient demo has few namesakes and 100,000 patients still
// look like a population. Copies: the basic generator's own lists stay untouched.
var (
	clinFemaleGiven = append(append([]string{}, femaleGiven...),
		"Emma", "Olivia", "Ava", "Isabella", "Mia", "Charlotte", "Amelia", "Harper", "Evelyn", "Abigail",
		"Grace", "Chloe", "Victoria", "Natalie", "Hannah", "Samantha", "Rachel", "Laura", "Angela", "Rebecca",
		"Deborah", "Stephanie", "Catherine", "Christine", "Julia", "Maria", "Rosa", "Guadalupe", "Lucia", "Ana",
		"Fatima", "Leila", "Yasmin", "Hana", "Yuki", "Min-ji", "Anh", "Lakshmi", "Ngozi", "Zainab",
		"Ingrid", "Katarzyna", "Svetlana", "Chiara", "Aoife", "Siobhan", "Keisha", "Tamika", "Imani", "Destiny")
	clinMaleGiven = append(append([]string{}, maleGiven...),
		"Liam", "Noah", "Oliver", "Elijah", "Lucas", "Henry", "Alexander", "Benjamin", "Samuel", "Jacob",
		"Ethan", "Nathan", "Ryan", "Jonathan", "Gregory", "Patrick", "Raymond", "Dennis", "Jerry", "Walter",
		"Harold", "Eugene", "Carlos", "Jose", "Juan", "Miguel", "Alejandro", "Diego", "Javier", "Rafael",
		"Ahmed", "Mohammed", "Hassan", "Yusuf", "Hiroshi", "Kenji", "Min-jun", "Duc", "Ravi", "Chinedu",
		"Tomasz", "Dmitri", "Lars", "Giovanni", "Sean", "Kwame", "Darnell", "Tyrone", "Malik", "Andre")
	clinFamilyNames = append(append([]string{}, familyNames...),
		"Young", "Allen", "King", "Wright", "Scott", "Torres", "Hill", "Flores", "Green", "Adams",
		"Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Gomez", "Phillips",
		"Evans", "Turner", "Diaz", "Parker", "Cruz", "Edwards", "Collins", "Reyes", "Stewart", "Morris",
		"Morales", "Murphy", "Cook", "Rogers", "Gutierrez", "Ortiz", "Morgan", "Cooper", "Peterson", "Bailey",
		"Reed", "Kelly", "Howard", "Ramos", "Cox", "Ward", "Richardson", "Watson", "Brooks", "Chavez",
		"Wood", "James", "Bennett", "Gray", "Mendoza", "Ruiz", "Hughes", "Price", "Alvarez", "Castillo",
		"Sanders", "Myers", "Long", "Ross", "Foster", "Jimenez", "Chen", "Wang", "Singh", "Tran",
		"Le", "Pham", "Park", "Choi", "Tanaka", "Suzuki", "Ali", "Khan", "Hussein", "Mensah",
		"Adeyemi", "Schmidt", "Schneider", "Fischer", "Rossi", "Russo", "Kowalczyk", "Ivanov", "Petrov", "Andersson",
		"Johansson", "Larsen", "Dubois", "Moreau", "O'Connor", "McCarthy", "Sullivan", "Fitzgerald", "Begay", "Yazzie")
)
