#!/usr/bin/zsh -f
# Prints, one per line, the matches zsh's completion system offers for a command line, by
# typing it into an interactive zsh on a pseudo-terminal (zsh/zpty) and pressing Tab.
# Usage: zsh_complete.zsh FPATH_DIR 'iotctl sub --to' [source]
# The completion function _iotctl is loaded from FPATH_DIR by compinit, as it is for a user
# who installs it; with "source", the file is sourced after compinit instead.
zmodload zsh/zpty || { print -u2 "zsh/zpty is missing"; exit 3 }
dir=$1 line=$2 how=${3:-fpath}
zpty z zsh -f -i
if [[ $how == source ]]; then
    zpty -w z "PROMPT= RPROMPT= ; autoload -Uz compinit; compinit -u -D; source ${(q)dir}/_iotctl"
else
    zpty -w z "PROMPT= RPROMPT= ; fpath=(${(q)dir} \$fpath); autoload -Uz compinit; compinit -u -D"
fi
zpty -w z 'zstyle ":completion:*" list-grouped false; zstyle ":completion:*" insert-tab false'
# Every match added goes through compadd: print it (the markers are split so that the echo of
# this line itself never matches them).
zpty -w z 'compadd() { if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "$@"; return $?; fi;
  local -a __hits; builtin compadd -A __hits "$@"; local h;
  for h in $__hits; do print -r -- "<""<$h>"">"; done; builtin compadd "$@" }'
zpty -w z '__capture() { print -r -- "<<BE""GIN>>"; zle complete-word; print -r -- "<<DO""NE>>" };
  zle -N __capture; bindkey "^I" __capture'
zpty -w -n z "$line"$'\t'
out=
while zpty -r z chunk; do
    out+=$chunk
    [[ $out == *'<<DONE>>'* ]] && break
done
zpty -d z
out=${${out#*<<BEGIN>>}%%<<DONE>>*}
for l in ${(f)out}; do
    l=${l%$'\r'}
    [[ $l == '<<'*'>>' ]] && print -r -- ${${l#<<}%>>}
done
exit 0
