#!/usr/bin/env bash
# An application's view of convnet4j: installs core and zoo (tests skipped) into a private local
# repository, builds scripts/consumer (an application that also uses the OpenCL presets, as JavaCV
# does) with every ```java block of README.md compiled into it, and runs its checks (one copy of the
# OpenCL presets; a training step). Never writes to ~/.m2: the private repository reads third-party
# artifacts from ~/.m2 as a mirror, so once the main build has downloaded them this runs offline.
#   scripts/consumer-check.sh            repository in scripts/consumer/target/repo
#   CONVNET4J_CONSUMER_REPO=DIR scripts/consumer-check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
consumer=$root/scripts/consumer
repo=${CONVNET4J_CONSUMER_REPO:-$consumer/target/repo}
mkdir -p "$repo" "$consumer/target/readme"

settings=$consumer/target/settings.xml
cat > "$settings" <<XML
<settings>
  <mirrors>
    <mirror><id>home-m2</id><mirrorOf>*</mirrorOf><url>file://$HOME/.m2/repository</url></mirror>
  </mirrors>
</settings>
XML
mvn_private() { mvn -B -q -s "$settings" -Dmaven.repo.local="$repo" "$@"; }

echo "consumer-check: installing core and zoo into $repo"
mvn_private -pl java,zoo -am -DskipTests install

# The README's java blocks, each as the file its public class names.
rm -f "$consumer"/target/readme/*.java
awk -v dir="$consumer/target/readme" '
  /^```java[[:space:]]*$/ { inblock = 1; src = ""; next }
  inblock && /^```[[:space:]]*$/ {
    inblock = 0
    if (match(src, /\npublic (final )?(class|record|interface) [A-Za-z0-9_]+/) || match(src, /^public (final )?(class|record|interface) [A-Za-z0-9_]+/)) {
      n = split(substr(src, RSTART, RLENGTH), words, " ")
      file = dir "/" words[n] ".java"
      printf "%s", src > file
      close(file)
    } else { print "consumer-check: a README java block has no public class" > "/dev/stderr"; exit 1 }
    next
  }
  inblock { src = src $0 "\n" }
' README.md
echo "consumer-check: README blocks: $(cd "$consumer/target/readme" && ls | tr '\n' ' ')"

mvn_private -f "$consumer/pom.xml" compile dependency:build-classpath -Dmdep.outputFile="$consumer/target/classpath.txt"
java -cp "$consumer/target/classes:$(cat "$consumer/target/classpath.txt")" consumer.Consumer
echo "consumer-check: ok"
