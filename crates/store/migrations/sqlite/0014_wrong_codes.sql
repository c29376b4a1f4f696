-- Wrong one-time codes apart from tries in flight: code_failures counts both (a try is
-- taken before the code is compared, so parallel guesses never get more than five), and
-- this column only the codes that were wrong, so that a full count of tries in flight is
-- answered "try again" rather than "locked". At rest the two are equal.
ALTER TABLE orders ADD COLUMN code_wrong INTEGER NOT NULL DEFAULT 0;
UPDATE orders SET code_wrong = code_failures;
