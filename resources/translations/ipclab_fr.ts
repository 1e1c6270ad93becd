<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr" sourcelanguage="en">
<context>
    <name></name>
    <message>
        <source>&lt;b&gt;The kernel says now:&lt;/b&gt; </source>
        <translation>&lt;b&gt;Le noyau dit maintenant :&lt;/b&gt; </translation>
    </message>
    <message>
        <source>(a) Opening a FIFO blocks until the other side opens</source>
        <translation>(a) Ouvrir une FIFO bloque jusqu’à ce que l’autre côté l’ouvre</translation>
    </message>
    <message>
        <source>&lt;b&gt;cat&lt;/b&gt; opens &lt;tt&gt;request.fifo&lt;/tt&gt; to read it. Nobody has opened it for writing yet, so the kernel keeps cat waiting &lt;i&gt;inside&lt;/i&gt; open(). In 5 seconds a shell opens the other end: watch both lanes move on.</source>
        <translation>&lt;b&gt;cat&lt;/b&gt; ouvre &lt;tt&gt;request.fifo&lt;/tt&gt; pour la lire. Personne ne l’a encore ouverte en écriture : le noyau fait donc attendre cat &lt;i&gt;dans&lt;/i&gt; open(). Dans 5 secondes un shell ouvre l’autre bout : regardez les deux lignes repartir.</translation>
    </message>
    <message>
        <source>reader: cat {pid}</source>
        <translation>lecteur : cat {pid}</translation>
    </message>
    <message>
        <source>writer: sh {pid}</source>
        <translation>écrivain : sh {pid}</translation>
    </message>
    <message>
        <source>Both proceeded: the writer&apos;s open() returned, cat&apos;s open() returned too, cat read &quot;hello&quot; and both exited. A FIFO&apos;s open() is a rendezvous: each side waits for the other.</source>
        <translation>Les deux sont repartis : l’open() de l’écrivain est revenu, celui de cat aussi, cat a lu « hello » et les deux se sont terminés. L’open() d’une FIFO est un rendez-vous : chaque côté attend l’autre.</translation>
    </message>
    <message>
        <source>(b) Back-pressure: a client that never reads</source>
        <translation>(b) Contre-pression : un client qui ne lit jamais</translation>
    </message>
    <message>
        <source>then the server cannot write on: its reply FIFO is non-blocking, so it waits in poll() for room</source>
        <translation>puis le serveur ne peut plus écrire : sa FIFO de réponse est non bloquante, il attend donc de la place dans poll()</translation>
    </message>
    <message>
        <source>then the server&apos;s write cannot go on: it blocks</source>
        <translation>puis l’écriture du serveur ne peut plus avancer : elle bloque</translation>
    </message>
    <message>
        <source>A client asks the {transport} server for 50 million numbers and never reads them. The kernel&apos;s buffers between them fill up; {blocks}. After its write timeout (10 s) the server gives up on that client.</source>
        <translation>Un client demande 50 millions de nombres au serveur {transport} et ne les lit jamais. Les tampons du noyau entre eux se remplissent ; {blocks}. Après son délai d’écriture (10 s), le serveur abandonne ce client.</translation>
    </message>
    <message>
        <source>server {pid}</source>
        <translation>serveur {pid}</translation>
    </message>
    <message>
        <source>client, never reads</source>
        <translation>client, ne lit jamais</translation>
    </message>
    <message>
        <source>The client let go after {seconds:g} s with {unread} unread in its end.</source>
        <translation>Le client a lâché prise après {seconds:g} s avec {unread} non lus de son côté.</translation>
    </message>
    <message>
        <source>The lesson failed: {message}</source>
        <translation>La leçon a échoué : {message}</translation>
    </message>
    <message>
        <source>The server had given up first, after {seconds:.0f} s blocked: its write timeout.</source>
        <translation>Le serveur avait abandonné le premier, après {seconds:.0f} s bloqué : son délai d’écriture.</translation>
    </message>
    <message>
        <source>server {pid} no longer writes to that client: blocked for {seconds:.0f} s, its write timeout expired, it gave up and closed the channel; it serves the others as before.</source>
        <translation>le serveur {pid} n’écrit plus à ce client : bloqué pendant {seconds:.0f} s, son délai d’écriture a expiré, il a abandonné et fermé le canal ; il sert les autres comme avant.</translation>
    </message>
    <message>
        <source>server {pid}: {sentence}</source>
        <translation>serveur {pid} : {sentence}</translation>
    </message>
    <message>
        <source> — full</source>
        <translation> — plein</translation>
    </message>
    <message>
        <source>; its buffer: </source>
        <translation> ; son tampon : </translation>
    </message>
    <message>
        <source>server {pid}, thread {tid}: {sentence}</source>
        <translation>serveur {pid}, thread {tid} : {sentence}</translation>
    </message>
    <message>
        <source>(c) An idle TCP server waits for a connection</source>
        <translation>(c) Un serveur TCP inactif attend une connexion</translation>
    </message>
    <message>
        <source>The TCP server has nothing to do: its main thread sleeps in the kernel, waiting for a client on its listening socket. In 4 seconds a client connects, waits 3 seconds before asking, then asks.</source>
        <translation>Le serveur TCP n’a rien à faire : son thread principal dort dans le noyau, en attendant un client sur sa socket d’écoute. Dans 4 secondes un client se connecte, attend 3 secondes, puis demande.</translation>
    </message>
    <message>
        <source>TCP server {pid}</source>
        <translation>serveur TCP {pid}</translation>
    </message>
    <message>
        <source>late client</source>
        <translation>client en retard</translation>
    </message>
    <message>
        <source>A connection arrived: the server&apos;s poll() woke up, accept() returned a new socket and a new thread waited in recv() until the client spoke; then it answered (server pid {pid}).</source>
        <translation>Une connexion est arrivée : le poll() du serveur s’est réveillé, accept() a renvoyé une nouvelle socket et un nouveau thread a attendu dans recv() que le client parle ; puis il a répondu (serveur pid {pid}).</translation>
    </message>
    <message>
        <source>main thread: {sentence}</source>
        <translation>thread principal : {sentence}</translation>
    </message>
    <message>
        <source>thread {tid}: {sentence}</source>
        <translation>thread {tid} : {sentence}</translation>
    </message>
    <message>
        <source>(d) The naive design&apos;s mix-up, seen in the kernel</source>
        <translation>(d) La confusion de la conception naïve, vue dans le noyau</translation>
    </message>
    <message>
        <source>The naive design has ONE reply FIFO for every client. Three client threads wait in read() on that same FIFO, client 1 last. Then only client 1 asks. The kernel wakes one reader — it does not know whose reply it is.</source>
        <translation>La conception naïve a UNE seule FIFO de réponse pour tous les clients. Trois threads clients attendent dans read() sur cette même FIFO, le client 1 en dernier. Puis seul le client 1 demande. Le noyau réveille un lecteur — il ne sait pas à qui est la réponse.</translation>
    </message>
    <message>
        <source>The naive server did not start: {message}</source>
        <translation>Le serveur naïf n’a pas démarré : {message}</translation>
    </message>
    <message>
        <source>naive server {pid}</source>
        <translation>serveur naïf {pid}</translation>
    </message>
    <message>
        <source>naive client {number}</source>
        <translation>client naïf {number}</translation>
    </message>
    <message>
        <source>No reader got the reply this time (the server dropped it).</source>
        <translation>Aucun lecteur n’a reçu la réponse cette fois (le serveur l’a abandonnée).</translation>
    </message>
    <message>
        <source>This time the kernel woke client 1 itself: lucky. Run it again — nothing makes it so; with one FIFO per client (the textbook design) it is guaranteed.</source>
        <translation>Cette fois le noyau a réveillé le client 1 lui-même : de la chance. Relancez — rien ne le garantit ; avec une FIFO par client (la conception classique), c’est garanti.</translation>
    </message>
    <message>
        <source>, the reader that had waited longest</source>
        <translation>, le lecteur qui attendait depuis le plus longtemps</translation>
    </message>
    <message>
        <source>&lt;b&gt;Mix-up:&lt;/b&gt; client 1 asked, but the kernel woke client {number}{longest}: it read client 1&apos;s numbers, and client 1 got nothing. With one FIFO per client this cannot happen.</source>
        <translation>&lt;b&gt;Confusion :&lt;/b&gt; le client 1 a demandé, mais le noyau a réveillé le client {number}{longest} : il a lu les nombres du client 1, et le client 1 n’a rien reçu. Avec une FIFO par client, cela ne peut pas arriver.</translation>
    </message>
    <message>
        <source>1 client thread is still blocked in read() on naive-reply.fifo (inode {inode}).</source>
        <translation>1 thread client est encore bloqué dans read() sur naive-reply.fifo (inode {inode}).</translation>
    </message>
    <message>
        <source>{count} client threads are blocked in read() on naive-reply.fifo — one FIFO (inode {inode}), several readers: the next reply goes to whichever one the kernel wakes.</source>
        <translation>{count} threads clients sont bloqués dans read() sur naive-reply.fifo — une seule FIFO (inode {inode}), plusieurs lecteurs : la prochaine réponse va à celui que le noyau réveille.</translation>
    </message>
    <message>
        <source>The Kernel tab shows what the kernel says each process is doing. Here cat is stuck inside open() on a FIFO until a writer opens the other end.</source>
        <translation>L’onglet Noyau montre ce que le noyau dit de chaque processus. Ici cat est bloqué dans open() sur une FIFO jusqu’à ce qu’un écrivain ouvre l’autre bout.</translation>
    </message>
    <message>
        <source>A client that never reads: the server&apos;s write blocks, the buffer between them fills up (the bar on the drawing), then the server gives up after its write timeout.</source>
        <translation>Un client qui ne lit jamais : l’écriture du serveur bloque, le tampon entre eux se remplit (la barre du dessin), puis le serveur abandonne après son délai d’écriture.</translation>
    </message>
    <message>
        <source>An idle TCP server sleeps in the kernel waiting for a connection; a client connects and a new thread waits for its request.</source>
        <translation>Un serveur TCP inactif dort dans le noyau en attendant une connexion ; un client se connecte et un nouveau thread attend sa requête.</translation>
    </message>
    <message>
        <source>The naive design: three readers on ONE reply FIFO. The kernel hands a reply to whichever reader it wakes.</source>
        <translation>La conception naïve : trois lecteurs sur UNE seule FIFO de réponse. Le noyau donne la réponse au lecteur qu’il réveille.</translation>
    </message>
</context>
<context>
    <name>ArchitectureView</name>
    <message>
        <source>GUI process</source>
        <translation>Processus de l’interface</translation>
    </message>
    <message>
        <source>no client thread</source>
        <translation>aucun thread client</translation>
    </message>
    <message numerus="yes">
        <source>+ %Ln more client thread(s)</source>
        <translation>
            <numerusform>+ %Ln autre thread client</numerusform>
            <numerusform>+ %Ln autres threads clients</numerusform>
        </translation>
    </message>
    <message>
        <source>{name} server</source>
        <translation>Serveur {name}</translation>
    </message>
    <message>
        <source>your own server</source>
        <translation>votre propre serveur</translation>
    </message>
    <message>
        <source>running, listening</source>
        <translation>en marche, à l’écoute</translation>
    </message>
    <message>
        <source>CRASHED</source>
        <translation>PLANTÉ</translation>
    </message>
    <message>
        <source>could not start</source>
        <translation>n’a pas pu démarrer</translation>
    </message>
    <message>
        <source>not running</source>
        <translation>arrêté</translation>
    </message>
    <message>
        <source>starting…</source>
        <translation>démarrage…</translation>
    </message>
    <message>
        <source>stopping…</source>
        <translation>arrêt…</translation>
    </message>
    <message>
        <source>no request FIFO on disk</source>
        <translation>aucun FIFO de requêtes sur le disque</translation>
    </message>
    <message>
        <source>+ {count} more reply FIFOs</source>
        <translation>+ {count} autres FIFO de réponse</translation>
    </message>
    <message>
        <source>reply FIFOs appear here while clients run</source>
        <translation>les FIFO de réponse apparaissent ici quand des clients tournent</translation>
    </message>
    <message>
        <source>listening socket {address}</source>
        <translation>socket d’écoute {address}</translation>
    </message>
    <message numerus="yes">
        <source>+ %Ln more connection(s)</source>
        <translation>
            <numerusform>+ %Ln autre connexion</numerusform>
            <numerusform>+ %Ln autres connexions</numerusform>
        </translation>
    </message>
    <message>
        <source>no connection: connect() makes one</source>
        <translation>aucune connexion : connect() en crée une</translation>
    </message>
    <message>
        <source>no socket file on disk</source>
        <translation>aucun fichier socket sur le disque</translation>
    </message>
    <message>
        <source>socket file</source>
        <translation>fichier socket</translation>
    </message>
</context>
<context>
    <name>ChannelTexts</name>
    <message numerus="yes">
        <source>%Ln connection(s)</source>
        <translation>
            <numerusform>%Ln connexion</numerusform>
            <numerusform>%Ln connexions</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ClientLog</name>
    <message numerus="yes">
        <source>asked for %Ln number(s) in {lo}..{hi}, round trip {latency} µs</source>
        <translation>
            <numerusform>a demandé %Ln nombre dans {lo}..{hi}, aller-retour {latency} µs</numerusform>
            <numerusform>a demandé %Ln nombres dans {lo}..{hi}, aller-retour {latency} µs</numerusform>
        </translation>
    </message>
    <message>
        <source>error: {message}</source>
        <translation>erreur : {message}</translation>
    </message>
    <message>
        <source>thread {thread}: {exchanges} exchanges, {numbers} numbers, round trip median {median} µs, max {max} µs</source>
        <translation>thread {thread} : {exchanges} échanges, {numbers} nombres, aller-retour médian {median} µs, max {max} µs</translation>
    </message>
</context>
<context>
    <name>ClientPanel</name>
    <message>
        <source>Client</source>
        <translation>Client</translation>
    </message>
    <message>
        <source>Send one request</source>
        <translation>Envoyer une requête</translation>
    </message>
    <message>
        <source>no limit</source>
        <translation>sans limite</translation>
    </message>
    <message>
        <source>random 1..10</source>
        <translation>aléatoire 1..10</translation>
    </message>
    <message>
        <source>random</source>
        <translation>aléatoire</translation>
    </message>
    <message>
        <source>Transport</source>
        <translation>Transport</translation>
    </message>
    <message>
        <source>Requests</source>
        <translation>Requêtes</translation>
    </message>
    <message>
        <source>Numbers each</source>
        <translation>Nombres par requête</translation>
    </message>
    <message>
        <source>Range</source>
        <translation>Intervalle</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>Graine</translation>
    </message>
    <message>
        <source>Client threads</source>
        <translation>Threads clients</translation>
    </message>
    <message>
        <source>Ask the server once for “Numbers each” numbers in the range (a random count 1..10 when that box is ticked)</source>
        <translation>Demander une fois au serveur « Nombres par requête » nombres dans l’intervalle (un nombre aléatoire de 1 à 10 si la case est cochée)</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>Durée</translation>
    </message>
    <message>
        <source>Start workload</source>
        <translation>Lancer la charge</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Arrêter</translation>
    </message>
    <message>
        <source>Compare FIFO · TCP · Unix</source>
        <translation>Comparer FIFO · TCP · Unix</translation>
    </message>
    <message>
        <source>Run this workload on each transport in turn and overlay the results</source>
        <translation>Lancer cette charge sur chaque transport tour à tour et superposer les résultats</translation>
    </message>
    <message>
        <source>idle</source>
        <translation>au repos</translation>
    </message>
</context>
<context>
    <name>Compare</name>
    <message>
        <source>transport</source>
        <translation>transport</translation>
    </message>
    <message>
        <source>exchanges</source>
        <translation>échanges</translation>
    </message>
    <message>
        <source>exchanges/s</source>
        <translation>échanges/s</translation>
    </message>
    <message>
        <source>numbers/s</source>
        <translation>nombres/s</translation>
    </message>
    <message>
        <source>errors</source>
        <translation>erreurs</translation>
    </message>
    <message>
        <source>single exchanges, not a workload</source>
        <translation>échanges isolés, pas une charge</translation>
    </message>
    <message>
        <source>another workload</source>
        <translation>une autre charge</translation>
    </message>
    <message>
        <source>stopped before its end</source>
        <translation>arrêtée avant sa fin</translation>
    </message>
    <message>
        <source>had errors</source>
        <translation>avec des erreurs</translation>
    </message>
    <message>
        <source>Round-trip CDF, all transports</source>
        <translation>Fonction de répartition de l’aller-retour, tous transports</translation>
    </message>
    <message>
        <source>Numbers per second</source>
        <translation>Nombres par seconde</translation>
    </message>
</context>
<context>
    <name>CompareView</name>
    <message numerus="yes">
        <source>%Ln request(s)</source>
        <translation>
            <numerusform>%Ln requête</numerusform>
            <numerusform>%Ln requêtes</numerusform>
        </translation>
    </message>
    <message>
        <source>for {seconds} s</source>
        <translation>pendant {seconds} s</translation>
    </message>
    <message>
        <source>random 1..10</source>
        <translation>aléatoire 1..10</translation>
    </message>
    <message numerus="yes">
        <source>{requests} × {count} numbers in {lo}..{hi}, %Ln client thread(s)</source>
        <translation>
            <numerusform>{requests} × {count} nombres dans {lo}..{hi}, %Ln thread client</numerusform>
            <numerusform>{requests} × {count} nombres dans {lo}..{hi}, %Ln threads clients</numerusform>
        </translation>
    </message>
    <message>
        <source>Compared: {workload}. Only runs of this workload, finished without errors, are ranked.</source>
        <translation>Comparé : {workload}. Seules les exécutions de cette charge, terminées sans erreur, sont classées.</translation>
    </message>
    <message>
        <source>Nothing to compare yet: “Compare FIFO · TCP · Unix” runs one workload on each transport.</source>
        <translation>Rien à comparer pour l’instant : « Comparer FIFO · TCP · Unix » exécute une même charge sur chaque transport.</translation>
    </message>
    <message>
        <source>not compared: {reason}</source>
        <translation>non comparé : {reason}</translation>
    </message>
</context>
<context>
    <name>FaultsPage</name>
    <message>
        <source>Two clients are busy; the server is killed with no chance to clean up.</source>
        <translation>Deux clients travaillent ; le serveur est tué sans pouvoir faire le ménage.</translation>
    </message>
    <message>
        <source>Does one silent client block everybody else?</source>
        <translation>Un client muet bloque-t-il tous les autres ?</translation>
    </message>
    <message>
        <source>256 random bytes instead of a request.</source>
        <translation>256 octets aléatoires au lieu d’une requête.</translation>
    </message>
    <message>
        <source>Kill the server mid-run (SIGKILL)</source>
        <translation>Tuer le serveur en pleine charge (SIGKILL)</translation>
    </message>
    <message>
        <source>A client that connects and never sends</source>
        <translation>Un client qui se connecte et n’envoie rien</translation>
    </message>
    <message>
        <source>A client that sends garbage</source>
        <translation>Un client qui envoie n’importe quoi</translation>
    </message>
    <message>
        <source>64 clients at once</source>
        <translation>64 clients à la fois</translation>
    </message>
    <message>
        <source>64 client threads, 20 requests each, all at the same time.</source>
        <translation>64 threads clients, 20 requêtes chacun, tous en même temps.</translation>
    </message>
    <message>
        <source>Choose a demo. What happens is explained here.</source>
        <translation>Choisissez une démo. Ce qui se passe est expliqué ici.</translation>
    </message>
    <message>
        <source>Restart the server</source>
        <translation>Redémarrer le serveur</translation>
    </message>
    <message>
        <source>Transport</source>
        <translation>Transport</translation>
    </message>
    <message>
        <source>Killing the {transport} server mid-run…</source>
        <translation>On tue le serveur {transport} en pleine charge…</translation>
    </message>
    <message>
        <source>A silent client connects to the {transport} server…</source>
        <translation>Un client muet se connecte au serveur {transport}…</translation>
    </message>
    <message>
        <source>A client sends garbage to the {transport} server…</source>
        <translation>Un client envoie n’importe quoi au serveur {transport}…</translation>
    </message>
    <message>
        <source>64 clients at once on the {transport} server…</source>
        <translation>64 clients à la fois sur le serveur {transport}…</translation>
    </message>
    <message>
        <source>silent client</source>
        <translation>client muet</translation>
    </message>
    <message>
        <source>garbage client</source>
        <translation>client qui envoie n’importe quoi</translation>
    </message>
    <message>
        <source>The demo failed: {message}</source>
        <translation>La démo a échoué : {message}</translation>
    </message>
    <message>
        <source>(no error reported)</source>
        <translation>(aucune erreur signalée)</translation>
    </message>
    <message>
        <source> A killed process cannot remove its files: IPC Lab removed the FIFO directory it left behind.</source>
        <translation> Un processus tué ne peut pas supprimer ses fichiers : IPC Lab a supprimé le répertoire de FIFO qu’il a laissé.</translation>
    </message>
    <message>
        <source> A killed process cannot remove its socket file: IPC Lab removed it.</source>
        <translation> Un processus tué ne peut pas supprimer son fichier socket : IPC Lab l’a supprimé.</translation>
    </message>
    <message>
        <source>Server pid {pid} was killed with SIGKILL: the kernel ends it at once, it cannot catch the signal nor clean up. The server panel and the Architecture view turn red ({state}). The clients noticed at once instead of hanging — the kernel closes the dead process&apos;s end of every channel: “{error}”.{note} Press “Restart the server” to go on.</source>
        <translation>Le serveur pid {pid} a été tué par SIGKILL : le noyau l’arrête immédiatement, il ne peut ni intercepter le signal ni faire le ménage. Le panneau du serveur et la vue Architecture passent au rouge ({state}). Les clients s’en sont aperçus tout de suite au lieu de rester bloqués — le noyau ferme le côté du processus mort de chaque canal : « {error} ».{note} Appuyez sur « Redémarrer le serveur » pour continuer.</translation>
    </message>
    <message>
        <source>What happened</source>
        <translation>Ce qui s’est passé</translation>
    </message>
    <message>
        <source>The run did not start.</source>
        <translation>La charge n’a pas démarré.</translation>
    </message>
    <message>
        <source> All 64 write to the same request FIFO: a request is 48 bytes, less than PIPE_BUF (4096), so the kernel never mixes two requests; each reply has its own FIFO.</source>
        <translation> Les 64 écrivent dans le même FIFO de requêtes : une requête fait 48 octets, moins que PIPE_BUF (4096), donc le noyau ne mélange jamais deux requêtes ; chaque réponse a son propre FIFO.</translation>
    </message>
    <message>
        <source> The server accepts each connection and serves each client in its own thread.</source>
        <translation> Le serveur accepte chaque connexion et sert chaque client dans son propre thread.</translation>
    </message>
    <message>
        <source>{clients} client threads sent {sent} requests at once. Answered: {ok}; errors: {errors}. Slowest 1 %: {p99:.1f} ms or more.{note}</source>
        <translation>{clients} threads clients ont envoyé {sent} requêtes en même temps. Réponses : {ok} ; erreurs : {errors}. Le 1 % le plus lent : {p99:.1f} ms ou plus.{note}</translation>
    </message>
    <message>
        <source> Meanwhile {count} requests of other clients were answered: one silent client blocks nobody.</source>
        <translation> Pendant ce temps, {count} requêtes d’autres clients ont reçu leur réponse : un client muet ne bloque personne.</translation>
    </message>
</context>
<context>
    <name>FrameView</name>
    <message>
        <source>offset</source>
        <translation>position</translation>
    </message>
    <message>
        <source>bytes</source>
        <translation>octets</translation>
    </message>
    <message>
        <source>field</source>
        <translation>champ</translation>
    </message>
    <message>
        <source>value</source>
        <translation>valeur</translation>
    </message>
</context>
<context>
    <name>GuidedTour</name>
    <message>
        <source>◀ Back</source>
        <translation>◀ Précédent</translation>
    </message>
    <message>
        <source>Next ▶</source>
        <translation>Suivant ▶</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Fermer</translation>
    </message>
    <message>
        <source>Welcome</source>
        <translation>Bienvenue</translation>
    </message>
    <message>
        <source>IPC Lab shows how two processes talk: a client asks a server for random numbers, the server answers. We will look at three ways to carry the bytes: a FIFO, a TCP socket, a Unix socket.</source>
        <translation>IPC Lab montre comment deux processus se parlent : un client demande des nombres aléatoires à un serveur, le serveur répond. Nous allons voir trois façons de transporter les octets : un FIFO, une socket TCP, une socket Unix.</translation>
    </message>
    <message>
        <source>1 · FIFO: a named pipe on disk</source>
        <translation>1 · FIFO : un tube nommé sur le disque</translation>
    </message>
    <message>
        <source>The FIFO server is starting. On the right: its process and its real pid. In the middle: the request FIFO, a file of a special kind that the server made with mkfifo(). Every client writes its request into this one FIFO.</source>
        <translation>Le serveur FIFO démarre. À droite : son processus et son vrai pid. Au milieu : le FIFO de requêtes, un fichier spécial que le serveur a créé avec mkfifo(). Chaque client écrit sa requête dans ce FIFO unique.</translation>
    </message>
    <message>
        <source>1 · FIFO: one exchange</source>
        <translation>1 · FIFO : un échange</translation>
    </message>
    <message>
        <source>The client wrote 48 bytes into request.fifo (blue dot); the server read them, generated the numbers and wrote them into this client&apos;s own reply FIFO (orange dot). The logs below show both sides with their pids. While you read, this client keeps its reply FIFO open and asks again every few seconds.</source>
        <translation>Le client a écrit 48 octets dans request.fifo (point bleu) ; le serveur les a lus, a tiré les nombres et les a écrits dans la FIFO de réponse propre à ce client (point orange). Les journaux ci-dessous montrent les deux côtés avec leurs pid. Pendant votre lecture, ce client garde sa FIFO de réponse ouverte et redemande toutes les quelques secondes.</translation>
    </message>
    <message>
        <source>A TCP server listens on a port. The client calls connect(); the server&apos;s accept() returns a new socket. The drawing shows the connection with both port numbers, read from the kernel: this client stays connected while you read, and asks again every few seconds.</source>
        <translation>Un serveur TCP écoute sur un port. Le client appelle connect() ; accept() du serveur renvoie une nouvelle socket. Le dessin montre la connexion avec ses deux numéros de port, lus dans le noyau : ce client reste connecté pendant votre lecture et redemande toutes les quelques secondes.</translation>
    </message>
    <message>
        <source>Same calls as TCP — socket, connect, accept, send, recv — but the address is a path in the file system and the bytes never touch the network stack. This client, too, stays connected while you read.</source>
        <translation>Les mêmes appels que TCP — socket, connect, accept, send, recv — mais l’adresse est un chemin du système de fichiers et les octets ne passent jamais par la pile réseau. Ce client, lui aussi, reste connecté pendant votre lecture.</translation>
    </message>
    <message>
        <source>Tour: the client could not exchange: {error}</source>
        <translation>Visite : le client n’a pas pu échanger : {error}</translation>
    </message>
    <message>
        <source>tour client (stays connected)</source>
        <translation>client de la visite (reste connecté)</translation>
    </message>
    <message>
        <source>1 · FIFO: the bytes</source>
        <translation>1 · FIFO : les octets</translation>
    </message>
    <message>
        <source>These are the real bytes of that request and reply: the magic word IPCL, the version, the client&apos;s pid, how many numbers, the range, and the numbers themselves, 4 bytes each.</source>
        <translation>Voici les vrais octets de cette requête et de cette réponse : le mot magique IPCL, la version, le pid du client, le nombre de nombres, l’intervalle, et les nombres eux-mêmes, 4 octets chacun.</translation>
    </message>
    <message>
        <source>2 · TCP: a connection between two ports</source>
        <translation>2 · TCP : une connexion entre deux ports</translation>
    </message>
    <message>
        <source>3 · Unix socket: a socket with a path</source>
        <translation>3 · Socket Unix : une socket avec un chemin</translation>
    </message>
    <message>
        <source>4 · Compare</source>
        <translation>4 · Comparer</translation>
    </message>
    <message>
        <source>The same workload on each transport in turn: 2,000 exchanges of 100 numbers with 2 clients. The table and the curves compare the round-trip times and the throughput.</source>
        <translation>La même charge sur chaque transport tour à tour : 2 000 échanges de 100 nombres avec 2 clients. Le tableau et les courbes comparent les temps d’aller-retour et le débit.</translation>
    </message>
    <message>
        <source>Going further</source>
        <translation>Pour aller plus loin</translation>
    </message>
    <message>
        <source>Step by step: follow one exchange system call by system call. Why one FIFO per client?: see replies get mixed up with the naive design. Fault demos: kill a server, send garbage, 64 clients at once.</source>
        <translation>Pas à pas : suivre un échange appel système par appel système. Naïf ou classique : voir les réponses se mélanger avec la conception naïve. Pannes : tuer un serveur, envoyer n’importe quoi, 64 clients à la fois.</translation>
    </message>
    <message>
        <source>Step {number} of {total}</source>
        <translation>Étape {number} sur {total}</translation>
    </message>
</context>
<context>
    <name>KernelPage</name>
    <message>
        <source>The kernel&apos;s view: what each real process and thread is doing</source>
        <translation>La vue du noyau : ce que fait chaque processus et thread réel</translation>
    </message>
    <message>
        <source>Each lane below is a real process or thread, coloured by what the kernel says it is doing: running, blocked in a system call on a channel, waiting for a connection or in poll(), or asleep. Choose a lesson.</source>
        <translation>Chaque ligne ci-dessous est un processus ou un thread réel, coloré selon ce que le noyau dit qu’il fait : en exécution, bloqué dans un appel système sur un canal, en attente d’une connexion ou dans poll(), ou endormi. Choisissez une leçon.</translation>
    </message>
    <message>
        <source>Stop the lesson</source>
        <translation>Arrêter la leçon</translation>
    </message>
    <message>
        <source>FIFO open</source>
        <translation>Ouverture de FIFO</translation>
    </message>
    <message>
        <source>Back-pressure</source>
        <translation>Contre-pression</translation>
    </message>
    <message>
        <source>Idle TCP server</source>
        <translation>Serveur TCP inactif</translation>
    </message>
    <message>
        <source>Naive mix-up</source>
        <translation>Confusion naïve</translation>
    </message>
    <message>
        <source>In the kernel:</source>
        <translation>Dans le noyau :</translation>
    </message>
</context>
<context>
    <name>LogView</name>
    <message>
        <source>Search… (Enter: next)</source>
        <translation>Chercher… (Entrée : suivant)</translation>
    </message>
    <message>
        <source>Pause scroll</source>
        <translation>Figer le défilement</translation>
    </message>
    <message>
        <source>Stop following new lines (they are kept and shown when you resume)</source>
        <translation>Ne plus suivre les nouvelles lignes (elles sont gardées et montrées à la reprise)</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>Effacer</translation>
    </message>
    <message>
        <source>Resume scroll</source>
        <translation>Reprendre le défilement</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>IPC Lab — FIFOs, TCP and Unix sockets, live</source>
        <translation>IPC Lab — FIFO, sockets TCP et Unix, en direct</translation>
    </message>
    <message>
        <source>Starts the server if needed and sends one request</source>
        <translation>Démarre le serveur si besoin et envoie une requête</translation>
    </message>
    <message>
        <source>transport</source>
        <translation>transport</translation>
    </message>
    <message>
        <source>exchanges</source>
        <translation>échanges</translation>
    </message>
    <message>
        <source>numbers</source>
        <translation>nombres</translation>
    </message>
    <message>
        <source>exchanges/s</source>
        <translation>échanges/s</translation>
    </message>
    <message>
        <source>p50 round trip</source>
        <translation>aller-retour p50</translation>
    </message>
    <message>
        <source>p99 round trip</source>
        <translation>aller-retour p99</translation>
    </message>
    <message>
        <source>uniform? (χ² p)</source>
        <translation>uniforme ? (χ² p)</translation>
    </message>
    <message>
        <source>Overview</source>
        <translation>Vue d’ensemble</translation>
    </message>
    <message>
        <source>Architecture</source>
        <translation>Architecture</translation>
    </message>
    <message>
        <source>Latency CDF</source>
        <translation>Latence (CDF)</translation>
    </message>
    <message>
        <source>Compare</source>
        <translation>Comparer</translation>
    </message>
    <message>
        <source>Client</source>
        <translation>Client</translation>
    </message>
    <message>
        <source>Servers</source>
        <translation>Serveurs</translation>
    </message>
    <message>
        <source>Press the blue button to see a FIFO exchange.</source>
        <translation>Appuyez sur le bouton bleu pour voir un échange par FIFO.</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Fichier</translation>
    </message>
    <message>
        <source>Export results as &amp;JSON…</source>
        <translation>Exporter les résultats en &amp;JSON…</translation>
    </message>
    <message>
        <source>Export results as &amp;CSV…</source>
        <translation>Exporter les résultats en &amp;CSV…</translation>
    </message>
    <message>
        <source>Save &amp;window as PNG…</source>
        <translation>Enregistrer la &amp;fenêtre en PNG…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Quitter</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Affichage</translation>
    </message>
    <message>
        <source>&amp;Presentation</source>
        <translation>Mode &amp;présentation</translation>
    </message>
    <message>
        <source>Large fonts, thick lines, high contrast; hides what a class does not need</source>
        <translation>Grands caractères, traits épais, contraste élevé ; cache ce dont une classe n’a pas besoin</translation>
    </message>
    <message>
        <source>&amp;Side panel (servers and client)</source>
        <translation>Panneau &amp;latéral (serveurs et client)</translation>
    </message>
    <message>
        <source>Zoom &amp;in</source>
        <translation>&amp;Agrandir</translation>
    </message>
    <message>
        <source>Zoom &amp;out</source>
        <translation>&amp;Réduire</translation>
    </message>
    <message>
        <source>&amp;Reset zoom</source>
        <translation>&amp;Taille normale</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>&amp;Langue</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>Langue du système</translation>
    </message>
    <message>
        <source>&amp;Clear plots and logs</source>
        <translation>&amp;Effacer graphiques et journaux</translation>
    </message>
    <message>
        <source>&amp;Run</source>
        <translation>&amp;Exécution</translation>
    </message>
    <message>
        <source>Start all &amp;servers</source>
        <translation>Démarrer tous les &amp;serveurs</translation>
    </message>
    <message>
        <source>S&amp;top all servers</source>
        <translation>&amp;Arrêter tous les serveurs</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>Ai&amp;de</translation>
    </message>
    <message>
        <source>&amp;Guided tour</source>
        <translation>&amp;Visite guidée</translation>
    </message>
    <message>
        <source>&amp;About IPC Lab</source>
        <translation>À &amp;propos d’IPC Lab</translation>
    </message>
    <message>
        <source>Nothing to export yet: run something first.</source>
        <translation>Rien à exporter pour l’instant : lancez d’abord un échange.</translation>
    </message>
    <message>
        <source>Export results as {kind}</source>
        <translation>Exporter les résultats en {kind}</translation>
    </message>
    <message>
        <source>Results written to {path}</source>
        <translation>Résultats écrits dans {path}</translation>
    </message>
    <message>
        <source>{rows} exchanges written to {path}</source>
        <translation>{rows} échanges écrits dans {path}</translation>
    </message>
    <message>
        <source>Save window as PNG</source>
        <translation>Enregistrer la fenêtre en PNG</translation>
    </message>
    <message>
        <source>About IPC Lab</source>
        <translation>À propos d’IPC Lab</translation>
    </message>
    <message>
        <source>▶  Run a {transport} exchange</source>
        <translation>▶  Lancer un échange {transport}</translation>
    </message>
    <message>
        <source>Zoom {percent} %</source>
        <translation>Zoom {percent} %</translation>
    </message>
    <message>
        <source>client thread {number}</source>
        <translation>thread client {number}</translation>
    </message>
    <message>
        <source>{transport}: the server is not available ({reason})</source>
        <translation>{transport} : le serveur n’est pas disponible ({reason})</translation>
    </message>
    <message>
        <source>{transport} server: {message}</source>
        <translation>Serveur {transport} : {message}</translation>
    </message>
    <message>
        <source>a run on {transport} is still going</source>
        <translation>une exécution sur {transport} est encore en cours</translation>
    </message>
    <message>
        <source>workload: {requests} requests × {count} numbers in {lo}..{hi}, {threads} client threads</source>
        <translation>charge : {requests} requêtes × {count} nombres dans {lo}..{hi}, {threads} threads clients</translation>
    </message>
    <message>
        <source>workload: {requests} requests × {count} numbers in {lo}..{hi}, {threads} client thread</source>
        <translation>charge : {requests} requêtes × {count} nombres dans {lo}..{hi}, {threads} thread client</translation>
    </message>
    <message>
        <source>unlimited</source>
        <translation>illimité</translation>
    </message>
    <message>
        <source>random 1..10</source>
        <translation>aléatoire 1..10</translation>
    </message>
    <message>
        <source>client pid {pid}</source>
        <translation>client pid {pid}</translation>
    </message>
    <message>
        <source>client pid {pid}  error: {error}</source>
        <translation>client pid {pid}  erreur : {error}</translation>
    </message>
    <message>
        <source>client {client} → server {server}</source>
        <translation>client {client} → serveur {server}</translation>
    </message>
    <message>
        <source>(+ {failed} failed)</source>
        <translation>(+ {failed} en échec)</translation>
    </message>
    <message>
        <source>stopped: {done} exchanges</source>
        <translation>arrêté : {done} échanges</translation>
    </message>
    <message>
        <source>failed: {done} exchanges</source>
        <translation>échec : {done} échanges</translation>
    </message>
    <message>
        <source>done: {done} exchanges</source>
        <translation>terminé : {done} échanges</translation>
    </message>
    <message>
        <source>{transport}: {done} exchanges in {elapsed} s</source>
        <translation>{transport} : {done} échanges en {elapsed} s</translation>
    </message>
    <message>
        <source>{transport}: {done} exchanges ({percent})</source>
        <translation>{transport} : {done} échanges ({percent})</translation>
    </message>
    <message>
        <source>{transport}: {done} exchanges</source>
        <translation>{transport} : {done} échanges</translation>
    </message>
    <message>
        <source>measuring the rate…</source>
        <translation>mesure du débit…</translation>
    </message>
    <message>
        <source>{rate} exchanges/s</source>
        <translation>{rate} échanges/s</translation>
    </message>
    <message>
        <source>Running {transport} ({number} of {total}): {done} exchanges, {figures}</source>
        <translation>En cours : {transport} ({number} sur {total}) : {done} échanges, {figures}</translation>
    </message>
    <message>
        <source>{seconds} s left</source>
        <translation>encore {seconds} s</translation>
    </message>
    <message>
        <source>until you press Stop</source>
        <translation>jusqu’à ce que vous appuyiez sur Arrêter</translation>
    </message>
    <message>
        <source>Step by step</source>
        <translation>Pas à pas</translation>
    </message>
    <message>
        <source>Wire bytes</source>
        <translation>Octets</translation>
    </message>
    <message>
        <source>Naive vs textbook</source>
        <translation>Naïf ou classique</translation>
    </message>
    <message>
        <source>Faults</source>
        <translation>Pannes</translation>
    </message>
    <message>
        <source>Kernel</source>
        <translation>Noyau</translation>
    </message>
    <message>
        <source>&amp;Auto (native when built)</source>
        <translation>&amp;Auto (natif s’il est compilé)</translation>
    </message>
    <message>
        <source>&amp;Native (compiled C)</source>
        <translation>&amp;Natif (C compilé)</translation>
    </message>
    <message>
        <source>&amp;Python (reference)</source>
        <translation>&amp;Python (référence)</translation>
    </message>
    <message>
        <source>&amp;Engine</source>
        <translation>&amp;Moteur</translation>
    </message>
    <message>
        <source>Engine: {engine} for the clients and servers from now on</source>
        <translation>Moteur : {engine} pour les clients et les serveurs à partir de maintenant</translation>
    </message>
    <message>
        <source>{engine} (no run yet)</source>
        <translation>{engine} (aucune mesure encore)</translation>
    </message>
    <message>
        <source>Engine: clients {clients}</source>
        <translation>Moteur : clients {clients}</translation>
    </message>
    <message>
        <source>servers {servers}</source>
        <translation>serveurs {servers}</translation>
    </message>
</context>
<context>
    <name>MixupPage</name>
    <message>
        <source>{mixed} of {total} replies went to the wrong client, {lost} were lost</source>
        <translation>{mixed} réponses sur {total} sont allées au mauvais client, {lost} perdues</translation>
    </message>
    <message>
        <source>all {total} replies reached the client that asked</source>
        <translation>les {total} réponses sont toutes arrivées au client qui les demandait</translation>
    </message>
    <message>
        <source>The original exercise used two fixed FIFOs shared by every client: one for requests, one for replies. With one client it works. With several at once, a client reads whatever reply comes first — often another client&apos;s. The textbook design gives each client its own reply FIFO.</source>
        <translation>L’exercice d’origine utilisait deux FIFO fixes partagés par tous les clients : un pour les requêtes, un pour les réponses. Avec un seul client, ça marche. Avec plusieurs à la fois, un client lit la première réponse qui arrive — souvent celle d’un autre. La conception classique donne à chaque client son propre FIFO de réponse.</translation>
    </message>
    <message>
        <source>⚠ The naive server runs only here, for this demonstration. It is never the default.</source>
        <translation>⚠ Le serveur naïf ne tourne qu’ici, pour cette démonstration. Il n’est jamais utilisé par défaut.</translation>
    </message>
    <message>
        <source>Run both designs with several clients at once</source>
        <translation>Lancer les deux conceptions avec plusieurs clients à la fois</translation>
    </message>
    <message>
        <source>Clients</source>
        <translation>Clients</translation>
    </message>
    <message>
        <source>Requests each</source>
        <translation>Requêtes chacun</translation>
    </message>
    <message>
        <source>Naive design (DEMONSTRATION ONLY)</source>
        <translation>Conception naïve (DÉMONSTRATION UNIQUEMENT)</translation>
    </message>
    <message>
        <source>Two FIFOs shared by every client: one for requests, one for replies.</source>
        <translation>Deux FIFO partagées par tous les clients : une pour les requêtes, une pour les réponses.</translation>
    </message>
    <message>
        <source>Textbook design</source>
        <translation>Conception classique</translation>
    </message>
    <message>
        <source>One request FIFO, and one reply FIFO per client.</source>
        <translation>Une FIFO de requêtes, et une FIFO de réponse par client.</translation>
    </message>
    <message>
        <source>running…</source>
        <translation>en cours…</translation>
    </message>
    <message>
        <source>could not run: {message}</source>
        <translation>impossible de lancer : {message}</translation>
    </message>
    <message>
        <source>demo client {number}</source>
        <translation>client de démo {number}</translation>
    </message>
</context>
<context>
    <name>PlotCard</name>
    <message>
        <source>Save…</source>
        <translation>Enregistrer…</translation>
    </message>
    <message>
        <source>Save this plot as PNG or SVG</source>
        <translation>Enregistrer ce graphique en PNG ou en SVG</translation>
    </message>
    <message>
        <source>As PNG image…</source>
        <translation>En image PNG…</translation>
    </message>
    <message>
        <source>As SVG drawing…</source>
        <translation>En dessin SVG…</translation>
    </message>
    <message>
        <source>PNG image (*.png)</source>
        <translation>Image PNG (*.png)</translation>
    </message>
    <message>
        <source>SVG drawing (*.svg)</source>
        <translation>Dessin SVG (*.svg)</translation>
    </message>
    <message>
        <source>Save plot as {kind}</source>
        <translation>Enregistrer le graphique en {kind}</translation>
    </message>
</context>
<context>
    <name>Plots</name>
    <message>
        <source>Numbers returned</source>
        <translation>Nombres renvoyés</translation>
    </message>
    <message>
        <source>value returned</source>
        <translation>valeur renvoyée</translation>
    </message>
    <message>
        <source>how many times</source>
        <translation>nombre de fois</translation>
    </message>
    <message>
        <source>expected if uniform</source>
        <translation>attendu si uniforme</translation>
    </message>
    <message>
        <source>{name}: {total} numbers · χ² = {statistic} ({dof} dof), p = {p}</source>
        <translation>{name} : {total} nombres · χ² = {statistic} ({dof} ddl), p = {p}</translation>
    </message>
    <message>
        <source>{name}: {total} numbers</source>
        <translation>{name} : {total} nombres</translation>
    </message>
    <message>
        <source>Round trip over time</source>
        <translation>Aller-retour au fil du temps</translation>
    </message>
    <message>
        <source>round trip (log scale)</source>
        <translation>aller-retour (échelle log)</translation>
    </message>
    <message>
        <source>time since start</source>
        <translation>temps depuis le début</translation>
    </message>
    <message>
        <source>round trip</source>
        <translation>aller-retour</translation>
    </message>
    <message>
        <source>Round-trip histogram</source>
        <translation>Histogramme des allers-retours</translation>
    </message>
    <message>
        <source>exchanges</source>
        <translation>échanges</translation>
    </message>
    <message>
        <source>{name}: p50 {p50} · p99 {p99}</source>
        <translation>{name} : p50 {p50} · p99 {p99}</translation>
    </message>
    <message>
        <source>Round-trip CDF</source>
        <translation>Fonction de répartition de l’aller-retour</translation>
    </message>
    <message>
        <source>fraction of exchanges</source>
        <translation>fraction des échanges</translation>
    </message>
    <message>
        <source>Throughput</source>
        <translation>Débit</translation>
    </message>
    <message>
        <source>exchanges/s</source>
        <translation>échanges/s</translation>
    </message>
    <message>
        <source>numbers/s</source>
        <translation>nombres/s</translation>
    </message>
</context>
<context>
    <name>ServerEvents</name>
    <message>
        <source>closed</source>
        <translation>fermé</translation>
    </message>
    <message>
        <source>closed the connection</source>
        <translation>a fermé la connexion</translation>
    </message>
    <message>
        <source>server stopping</source>
        <translation>arrêt du serveur</translation>
    </message>
    <message>
        <source>closed its reply FIFO</source>
        <translation>a fermé son FIFO de réponse</translation>
    </message>
    <message numerus="yes">
        <source>request #{request_id} from client pid {pid}: %Ln number(s) in {lo}..{hi}</source>
        <translation>
            <numerusform>requête n°{request_id} du client pid {pid} : %Ln nombre dans {lo}..{hi}</numerusform>
            <numerusform>requête n°{request_id} du client pid {pid} : %Ln nombres dans {lo}..{hi}</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>sent %Ln number(s) ({bytes} bytes) to client pid {pid}, served in {service} µs</source>
        <translation>
            <numerusform>%Ln nombre envoyé ({bytes} octets) au client pid {pid}, servi en {service} µs</numerusform>
            <numerusform>%Ln nombres envoyés ({bytes} octets) au client pid {pid}, servis en {service} µs</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>{requests_per_s} requests/s, {numbers_per_s} numbers/s; served in all: {requests}; %Ln client(s) connected</source>
        <translation>
            <numerusform>{requests_per_s} requêtes/s, {numbers_per_s} nombres/s ; servies en tout : {requests} ; %Ln client connecté</numerusform>
            <numerusform>{requests_per_s} requêtes/s, {numbers_per_s} nombres/s ; servies en tout : {requests} ; %Ln clients connectés</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>stopped after %Ln request(s) ({numbers} numbers)</source>
        <translation>
            <numerusform>arrêté après %Ln requête ({numbers} nombres)</numerusform>
            <numerusform>arrêté après %Ln requêtes ({numbers} nombres)</numerusform>
        </translation>
    </message>
    <message>
        <source>dropped: {error}</source>
        <translation>abandonné : {error}</translation>
    </message>
    <message>
        <source>listening at {address} (protocol {protocol}, version {version})</source>
        <translation>à l’écoute sur {address} (protocole {protocol}, version {version})</translation>
    </message>
    <message>
        <source>listening at {address} (protocol {protocol})</source>
        <translation>à l’écoute sur {address} (protocole {protocol})</translation>
    </message>
    <message>
        <source>client {client} connected</source>
        <translation>client {client} connecté</translation>
    </message>
    <message>
        <source>client {client} error: {error}</source>
        <translation>client {client} erreur : {error}</translation>
    </message>
    <message>
        <source>client {client} gone ({reason})</source>
        <translation>client {client} parti ({reason})</translation>
    </message>
    <message>
        <source> ({lines} per-exchange lines summarized)</source>
        <translation> ({lines} lignes par échange résumées)</translation>
    </message>
</context>
<context>
    <name>ServerPanel</name>
    <message>
        <source>private directory (automatic)</source>
        <translation>répertoire privé (automatique)</translation>
    </message>
    <message>
        <source>127.0.0.1, free port (automatic)</source>
        <translation>127.0.0.1, port libre (automatique)</translation>
    </message>
    <message>
        <source>private socket path (automatic)</source>
        <translation>chemin de socket privé (automatique)</translation>
    </message>
    <message>
        <source>{name} server</source>
        <translation>Serveur {name}</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>Démarrer</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Arrêter</translation>
    </message>
    <message>
        <source>Restart</source>
        <translation>Redémarrer</translation>
    </message>
    <message>
        <source>Leave empty for a private address; e.g. 127.0.0.1:5000 for a fixed TCP port</source>
        <translation>Laisser vide pour une adresse privée ; par ex. 127.0.0.1:5000 pour un port TCP fixe</translation>
    </message>
    <message>
        <source>built-in server (or your own command)</source>
        <translation>serveur intégré (ou votre propre commande)</translation>
    </message>
    <message>
        <source>Bring your own server: any program that speaks docs/PROTOCOL.md and prints a JSON ready line, e.g. examples/c/ipclab_server {transport} {{address}} — {{address}} is replaced by a fresh private address</source>
        <translation>Votre propre serveur : tout programme qui parle docs/PROTOCOL.md et affiche une ligne JSON « ready », par ex. examples/c/ipclab_server {transport} {{address}} — {{address}} est remplacé par une adresse privée neuve</translation>
    </message>
    <message>
        <source>Show the address and command of this server</source>
        <translation>Afficher l’adresse et la commande de ce serveur</translation>
    </message>
    <message>
        <source>Address:</source>
        <translation>Adresse :</translation>
    </message>
    <message>
        <source>Command:</source>
        <translation>Commande :</translation>
    </message>
    <message>
        <source>{name} server: your own command</source>
        <translation>Serveur {name} : votre commande</translation>
    </message>
    <message>
        <source>listening at {address}</source>
        <translation>à l’écoute sur {address}</translation>
    </message>
    <message>
        <source>could not start: {reason}</source>
        <translation>n’a pas pu démarrer : {reason}</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>arrêté</translation>
    </message>
    <message>
        <source>starting</source>
        <translation>démarrage</translation>
    </message>
    <message>
        <source>stopping</source>
        <translation>arrêt</translation>
    </message>
    <message numerus="yes">
        <source>pid {pid} · up {uptime} · %Ln request(s) served</source>
        <translation>
            <numerusform>pid {pid} · depuis {uptime} · %Ln requête servie</numerusform>
            <numerusform>pid {pid} · depuis {uptime} · %Ln requêtes servies</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln request(s) served</source>
        <translation>
            <numerusform>%Ln requête servie</numerusform>
            <numerusform>%Ln requêtes servies</numerusform>
        </translation>
    </message>
    <message>
        <source>waiting for its ready line…</source>
        <translation>attente de sa ligne « ready »…</translation>
    </message>
</context>
<context>
    <name>StepModePage</name>
    <message>
        <source>client</source>
        <translation>client</translation>
    </message>
    <message>
        <source>server</source>
        <translation>serveur</translation>
    </message>
    <message>
        <source>Step by step</source>
        <translation>Pas à pas</translation>
    </message>
    <message>
        <source>Slow motion</source>
        <translation>Ralenti</translation>
    </message>
    <message>
        <source>Full speed</source>
        <translation>Vitesse normale</translation>
    </message>
    <message>
        <source> s per step</source>
        <translation> s par étape</translation>
    </message>
    <message>
        <source>Start one exchange</source>
        <translation>Lancer un échange</translation>
    </message>
    <message>
        <source>Step ▶</source>
        <translation>Étape ▶</translation>
    </message>
    <message>
        <source>Choose a transport and press “Start one exchange”: then press Step (or the space bar) to let each system call happen.</source>
        <translation>Choisissez un transport et appuyez sur « Lancer un échange » : puis appuyez sur Étape (ou la barre d’espace) pour laisser passer chaque appel système.</translation>
    </message>
    <message>
        <source>Transport</source>
        <translation>Transport</translation>
    </message>
    <message>
        <source>Numbers</source>
        <translation>Nombres</translation>
    </message>
    <message>
        <source>Speed</source>
        <translation>Vitesse</translation>
    </message>
    <message>
        <source>Starting a step-mode {transport} server…</source>
        <translation>Démarrage d’un serveur {transport} en mode pas à pas…</translation>
    </message>
    <message>
        <source>stepping client</source>
        <translation>client pas à pas</translation>
    </message>
    <message>
        <source>Press Step to let the client make its first system call.</source>
        <translation>Appuyez sur Étape pour que le client fasse son premier appel système.</translation>
    </message>
    <message>
        <source>The exchange runs…</source>
        <translation>L’échange se déroule…</translation>
    </message>
    <message>
        <source>Done: the client (pid {client}) received {count} numbers from the server (pid {server}): {values}</source>
        <translation>Terminé : le client (pid {client}) a reçu {count} nombres du serveur (pid {server}) : {values}</translation>
    </message>
    <message>
        <source>The exchange failed: {message}</source>
        <translation>L’échange a échoué : {message}</translation>
    </message>
    <message>
        <source>The step-mode server stopped: {message}</source>
        <translation>Le serveur pas à pas s’est arrêté : {message}</translation>
    </message>
</context>
<context>
    <name>Transports</name>
    <message>
        <source>FIFO</source>
        <translation>FIFO</translation>
    </message>
    <message>
        <source>TCP</source>
        <translation>TCP</translation>
    </message>
    <message>
        <source>Unix socket</source>
        <translation>socket Unix</translation>
    </message>
</context>
<context>
    <name>WireView</name>
    <message>
        <source>No exchange yet. Press the button to send one request and see its bytes.</source>
        <translation>Pas encore d’échange. Appuyez sur le bouton pour envoyer une requête et voir ses octets.</translation>
    </message>
    <message>
        <source>Send one request and show its bytes</source>
        <translation>Envoyer une requête et montrer ses octets</translation>
    </message>
    <message>
        <source>header</source>
        <translation>en-tête</translation>
    </message>
    <message>
        <source>identity</source>
        <translation>identité</translation>
    </message>
    <message>
        <source>workload</source>
        <translation>demande</translation>
    </message>
    <message>
        <source>values</source>
        <translation>valeurs</translation>
    </message>
    <message>
        <source>checksum</source>
        <translation>somme de contrôle</translation>
    </message>
    <message>
        <source>timing</source>
        <translation>durées</translation>
    </message>
    <message>
        <source>Request: client → server</source>
        <translation>Requête : client → serveur</translation>
    </message>
    <message>
        <source>Reply: server → client</source>
        <translation>Réponse : serveur → client</translation>
    </message>
    <message>
        <source>{count} bytes</source>
        <translation>{count} octets</translation>
    </message>
    <message>
        <source>the reply as read, first {count} bytes</source>
        <translation>la réponse telle que lue, {count} premiers octets</translation>
    </message>
    <message>
        <source>… its last frame, {count} bytes</source>
        <translation>… sa dernière trame, {count} octets</translation>
    </message>
    <message>
        <source>The client (pid {pid}) sent {size} bytes asking for {count} numbers in {lo}..{hi}; the server answered with {total} bytes in all. Every number travels as 4 bytes, most significant byte first (big-endian).</source>
        <translation>Le client (pid {pid}) a envoyé {size} octets pour demander {count} nombres entre {lo} et {hi} ; le serveur a répondu avec {total} octets en tout. Chaque nombre voyage sur 4 octets, l’octet de poids fort en premier (gros-boutiste).</translation>
    </message>
</context>
<context>
    <name>StepSentences</name>
    <message>
        <source>The client made its own reply FIFO {name} with mkfifo() (the mknodat system call, mode 0600: only this user may open it), so that the server can answer this client and no other.</source>
        <translation>Le client a créé sa propre FIFO de réponse {name} avec mkfifo() (l’appel système mknodat, mode 0600 : seul cet utilisateur peut l’ouvrir), pour que le serveur puisse répondre à ce client et à nul autre.</translation>
    </message>
    <message>
        <source>The client opened {what} with open() (the openat system call) and the flags {flags}; it got file descriptor {fd}.{purpose} Why: {why}.</source>
        <translation>Le client a ouvert {what} avec open() (l’appel système openat) et les drapeaux {flags} ; il a obtenu le descripteur de fichier {fd}.{purpose} Pourquoi : {why}.</translation>
    </message>
    <message>
        <source>the server&apos;s well-known request FIFO {name}</source>
        <translation>la FIFO de requêtes bien connue du serveur, {name}</translation>
    </message>
    <message>
        <source>{first}; {rest}</source>
        <translation>{first} ; {rest}</translation>
    </message>
    <message>
        <source>{first}, {rest}</source>
        <translation>{first}, {rest}</translation>
    </message>
    <message>
        <source>{rest} and {last}</source>
        <translation>{rest} et {last}</translation>
    </message>
    <message>
        <source>{flag}: {why}</source>
        <translation>{flag} : {why}</translation>
    </message>
    <message>
        <source>{call}()</source>
        <translation>{call}()</translation>
    </message>
    <message>
        <source>the client only writes requests into this FIFO</source>
        <translation>le client ne fait qu’écrire des requêtes dans cette FIFO</translation>
    </message>
    <message>
        <source>if no server has the FIFO open for reading, open() fails at once with ENXIO (&quot;no server&quot;) instead of waiting for one forever</source>
        <translation>si aucun serveur n’a la FIFO ouverte en lecture, open() échoue aussitôt avec ENXIO (« pas de serveur ») au lieu d’en attendre un indéfiniment</translation>
    </message>
    <message>
        <source>closed by itself if this process runs another program (Python adds it to every file)</source>
        <translation>fermé tout seul si ce processus lance un autre programme (Python l’ajoute à chaque fichier)</translation>
    </message>
    <message>
        <source>closed by itself if this process runs another program (Python adds it to every socket)</source>
        <translation>fermé tout seul si ce processus lance un autre programme (Python l’ajoute à chaque socket)</translation>
    </message>
    <message>
        <source>its reply FIFO {name}</source>
        <translation>sa FIFO de réponse {name}</translation>
    </message>
    <message>
        <source> It opens it before asking, so that the server finds a reader there.</source>
        <translation> Il l’ouvre avant de demander, pour que le serveur y trouve un lecteur.</translation>
    </message>
    <message>
        <source>reading and writing: the client only reads replies here, but holding a write end itself means open() need not wait for the server and read() never reports end-of-file between replies</source>
        <translation>lecture et écriture : le client ne fait que lire des réponses ici, mais tenir lui-même un bout en écriture évite à open() d’attendre le serveur, et read() ne signale jamais de fin de fichier entre deux réponses</translation>
    </message>
    <message>
        <source>read() returns EAGAIN instead of waiting, so the client waits in poll() with a timeout and notices a server that died</source>
        <translation>read() renvoie EAGAIN au lieu d’attendre : le client attend donc dans poll() avec un délai et remarque un serveur mort</translation>
    </message>
    <message>
        <source>The client wrote its {bytes}-byte request {where} with {call} on file descriptor {fd}: {count} numbers in {lo}..{hi}, request id {request_id}.{note}</source>
        <translation>Le client a écrit sa requête de {bytes} octets {where} avec {call} sur le descripteur de fichier {fd} : {count} nombres dans {lo}..{hi}, identifiant de requête {request_id}.{note}</translation>
    </message>
    <message>
        <source>into the request FIFO {name}</source>
        <translation>dans la FIFO de requêtes {name}</translation>
    </message>
    <message>
        <source>into the socket</source>
        <translation>dans la socket</translation>
    </message>
    <message>
        <source> It is smaller than PIPE_BUF (4096 bytes), so it goes in whole, never mixed with another client&apos;s request.</source>
        <translation> Elle est plus petite que PIPE_BUF (4096 octets) : elle passe donc d’un bloc, jamais mêlée à la requête d’un autre client.</translation>
    </message>
    <message>
        <source>The server&apos;s read() on request.fifo (file descriptor {fd}) returned {bytes} bytes: a {size}-byte request from client pid {pid}, who wants {count} numbers in {lo}..{hi}. The server opened request.fifo at start-up with {read_flags} (O_NONBLOCK: open() need not wait for a first client), then made the descriptor blocking, so read() waits for the next request; it also holds it open with {keep_flags} (file descriptor {keep_fd}), so read() never returns end-of-file when no client has it open.</source>
        <translation>Le read() du serveur sur request.fifo (descripteur de fichier {fd}) a rendu {bytes} octets : une requête de {size} octets du client pid {pid}, qui veut {count} nombres dans {lo}..{hi}. Le serveur a ouvert request.fifo au démarrage avec {read_flags} (O_NONBLOCK : open() n’a pas à attendre un premier client), puis a rendu le descripteur bloquant, si bien que read() attend la requête suivante ; il la garde aussi ouverte avec {keep_flags} (descripteur de fichier {keep_fd}), si bien que read() ne rend jamais de fin de fichier quand aucun client ne l’a ouverte.</translation>
    </message>
    <message>
        <source>The server generated {count} random numbers in {lo}..{hi} with numpy{later}: {values}.</source>
        <translation>Le serveur a tiré {count} nombres aléatoires dans {lo}..{hi} avec numpy{later} : {values}.</translation>
    </message>
    <message>
        <source>The server generated {count} random numbers in {lo}..{hi} with numpy{later}.</source>
        <translation>Le serveur a tiré {count} nombres aléatoires dans {lo}..{hi} avec numpy{later}.</translation>
    </message>
    <message>
        <source> (the first {first} now, the rest while sending)</source>
        <translation> (les {first} premiers maintenant, le reste pendant l’envoi)</translation>
    </message>
    <message>
        <source>The server opened the client&apos;s reply FIFO {name} with openat(), relative to its directory&apos;s descriptor, and the flags {flags}; it got file descriptor {fd}. Why: {why}.</source>
        <translation>Le serveur a ouvert la FIFO de réponse du client {name} avec openat(), relativement au descripteur de son répertoire, et les drapeaux {flags} ; il a obtenu le descripteur de fichier {fd}. Pourquoi : {why}.</translation>
    </message>
    <message>
        <source>the server only writes the reply</source>
        <translation>le serveur ne fait qu’écrire la réponse</translation>
    </message>
    <message>
        <source>if the client is gone (no reader), open() fails at once with ENXIO instead of blocking the server forever</source>
        <translation>si le client est parti (aucun lecteur), open() échoue aussitôt avec ENXIO au lieu de bloquer le serveur indéfiniment</translation>
    </message>
    <message>
        <source>refuse a symbolic link planted under the client&apos;s name (it could point at any file of this user&apos;s)</source>
        <translation>refuser un lien symbolique posé sous le nom du client (il pourrait pointer vers n’importe quel fichier de cet utilisateur)</translation>
    </message>
    <message>
        <source>The server wrote {bytes} bytes of its reply with {call} on file descriptor {fd}: {frames}; the client can read them now.</source>
        <translation>Le serveur a écrit {bytes} octets de sa réponse avec {call} sur le descripteur de fichier {fd} : {frames} ; le client peut maintenant les lire.</translation>
    </message>
    <message>
        <source>writev() (write() from a list of buffers: frame headers and numbers in one call)</source>
        <translation>writev() (write() depuis une liste de tampons : en-têtes de trames et nombres en un seul appel)</translation>
    </message>
    <message>
        <source>readv() (read() into a list of buffers, here one)</source>
        <translation>readv() (read() dans une liste de tampons, ici un seul)</translation>
    </message>
    <message>
        <source>sendto() (what C&apos;s send() calls)</source>
        <translation>sendto() (ce qu’appelle le send() du C)</translation>
    </message>
    <message>
        <source>recvfrom() (what C&apos;s recv() calls)</source>
        <translation>recvfrom() (ce qu’appelle le recv() du C)</translation>
    </message>
    <message>
        <source>sendmsg() (send() from a list of buffers: frame headers and numbers in one call)</source>
        <translation>sendmsg() (send() depuis une liste de tampons : en-têtes de trames et nombres en un seul appel)</translation>
    </message>
    <message>
        <source>{frame} ({bytes} bytes)</source>
        <translation>{frame} ({bytes} octets)</translation>
    </message>
    <message>
        <source>{bytes} bytes of {frame}</source>
        <translation>{bytes} octets de {frame}</translation>
    </message>
    <message>
        <source>the CHUNK frame of {size} number</source>
        <translation>la trame CHUNK de {size} nombre</translation>
    </message>
    <message>
        <source>the CHUNK frame of {size} numbers</source>
        <translation>la trame CHUNK de {size} nombres</translation>
    </message>
    <message>
        <source>the END frame</source>
        <translation>la trame END</translation>
    </message>
    <message>
        <source>The client read {bytes} bytes of the reply with {call} on file descriptor {fd}: {frames} — the reply is complete.</source>
        <translation>Le client a lu {bytes} octets de la réponse avec {call} sur le descripteur de fichier {fd} : {frames} — la réponse est complète.</translation>
    </message>
    <message>
        <source>The client read {bytes} bytes of the reply with {call} on file descriptor {fd}: {frames}.</source>
        <translation>Le client a lu {bytes} octets de la réponse avec {call} sur le descripteur de fichier {fd} : {frames}.</translation>
    </message>
    <message>
        <source>a CHUNK frame of {size} number ({length} bytes: {values})</source>
        <translation>une trame CHUNK de {size} nombre ({length} octets : {values})</translation>
    </message>
    <message>
        <source>a CHUNK frame of {size} numbers ({length} bytes: {values})</source>
        <translation>une trame CHUNK de {size} nombres ({length} octets : {values})</translation>
    </message>
    <message>
        <source>the {length}-byte END frame from server pid {pid}</source>
        <translation>la trame END de {length} octets du serveur pid {pid}</translation>
    </message>
    <message>
        <source>the first {count} bytes of the next frame</source>
        <translation>les {count} premiers octets de la trame suivante</translation>
    </message>
    <message>
        <source>an ERROR frame: {code}, {message}</source>
        <translation>une trame ERROR : {code}, {message}</translation>
    </message>
    <message>
        <source>The client closed {what} (file descriptor {fd}) with close().</source>
        <translation>Le client a fermé {what} (descripteur de fichier {fd}) avec close().</translation>
    </message>
    <message>
        <source>the request FIFO {name}</source>
        <translation>la FIFO de requêtes {name}</translation>
    </message>
    <message>
        <source>The client removed its reply FIFO {name} with {call}(); nothing is left behind.</source>
        <translation>Le client a supprimé sa FIFO de réponse {name} avec {call}() ; rien ne reste derrière lui.</translation>
    </message>
    <message>
        <source>The client made a TCP stream socket with socket({domain}, SOCK_STREAM|SOCK_CLOEXEC, 0) and got file descriptor {fd}. Why: {why}.</source>
        <translation>Le client a créé une socket TCP de type flux avec socket({domain}, SOCK_STREAM|SOCK_CLOEXEC, 0) et a obtenu le descripteur de fichier {fd}. Pourquoi : {why}.</translation>
    </message>
    <message>
        <source>The client made a Unix-domain stream socket with socket({domain}, SOCK_STREAM|SOCK_CLOEXEC, 0) and got file descriptor {fd}. Why: {why}.</source>
        <translation>Le client a créé une socket du domaine Unix de type flux avec socket({domain}, SOCK_STREAM|SOCK_CLOEXEC, 0) et a obtenu le descripteur de fichier {fd}. Pourquoi : {why}.</translation>
    </message>
    <message>
        <source>The client connected its socket to {host} port {port} with connect(); the kernel chose the client&apos;s own port, {local_port}.</source>
        <translation>Le client a connecté sa socket à {host} port {port} avec connect() ; le noyau a choisi le port du client lui-même, {local_port}.</translation>
    </message>
    <message>
        <source>The client connected its socket to the server&apos;s socket file {path} with connect().</source>
        <translation>Le client a connecté sa socket au fichier de socket du serveur {path} avec connect().</translation>
    </message>
    <message>
        <source>The server accepted a new connection {whom} with accept4() on its listening socket; it got file descriptor {fd}, for this client only. Why SOCK_CLOEXEC: {why}.</source>
        <translation>Le serveur a accepté une nouvelle connexion {whom} avec accept4() sur sa socket d’écoute ; il a obtenu le descripteur de fichier {fd}, pour ce seul client. Pourquoi SOCK_CLOEXEC : {why}.</translation>
    </message>
    <message>
        <source>from {host} port {port}</source>
        <translation>venant de {host} port {port}</translation>
    </message>
    <message>
        <source>on its socket file {path}</source>
        <translation>sur son fichier de socket {path}</translation>
    </message>
    <message>
        <source>The server read a {size}-byte request with {call} on file descriptor {fd}: {client} wants {count} numbers in {lo}..{hi}.</source>
        <translation>Le serveur a lu une requête de {size} octets avec {call} sur le descripteur de fichier {fd} : {client} veut {count} nombres dans {lo}..{hi}.</translation>
    </message>
    <message>
        <source>The client closed its socket (file descriptor {fd}) with close(); the server&apos;s next read on this connection returns 0 bytes: end of file.</source>
        <translation>Le client a fermé sa socket (descripteur de fichier {fd}) avec close() ; la prochaine lecture du serveur sur cette connexion rend 0 octet : fin de fichier.</translation>
    </message>
    <message>
        <source>open for reading only</source>
        <translation>ouvrir en lecture seule</translation>
    </message>
    <message>
        <source>open for writing only</source>
        <translation>ouvrir en écriture seule</translation>
    </message>
    <message>
        <source>open for reading and writing</source>
        <translation>ouvrir en lecture et en écriture</translation>
    </message>
    <message>
        <source>never wait: the call returns at once (EAGAIN, ENXIO) instead of blocking</source>
        <translation>ne jamais attendre : l’appel revient aussitôt (EAGAIN, ENXIO) au lieu de bloquer</translation>
    </message>
    <message>
        <source>refuse a symbolic link planted under that name</source>
        <translation>refuser un lien symbolique posé sous ce nom</translation>
    </message>
</context>
<context>
    <name>KernelSentences</name>
    <message>
        <source>a FIFO&apos;s open waits until the other end is opened</source>
        <translation>l’ouverture d’une FIFO attend que l’autre bout soit ouvert</translation>
    </message>
    <message>
        <source>a read from a pipe waits until someone writes into it (or the last writer closes it)</source>
        <translation>une lecture dans un tube attend que quelqu’un y écrive (ou que le dernier écrivain le ferme)</translation>
    </message>
    <message>
        <source>a write into a pipe waits until the reader makes room: the pipe is full</source>
        <translation>une écriture dans un tube attend que le lecteur fasse de la place : le tube est plein</translation>
    </message>
    <message>
        <source>a pipe operation waits: for data to read, or for room to write</source>
        <translation>une opération sur un tube attend : des données à lire, ou de la place pour écrire</translation>
    </message>
    <message>
        <source>a read from a Unix socket waits until the peer sends data</source>
        <translation>une lecture dans une socket Unix attend que l’autre bout envoie des données</translation>
    </message>
    <message>
        <source>a send on a Unix socket waits for room at the receiver</source>
        <translation>un envoi sur une socket Unix attend de la place chez le destinataire</translation>
    </message>
    <message>
        <source>a write into a socket waits for room: its buffers are full because the peer does not read</source>
        <translation>une écriture dans une socket attend de la place : ses tampons sont pleins car l’autre bout ne lit pas</translation>
    </message>
    <message>
        <source>a TCP send waits for room in its send buffer: the peer does not read fast enough</source>
        <translation>un envoi TCP attend de la place dans son tampon d’envoi : l’autre bout ne lit pas assez vite</translation>
    </message>
    <message>
        <source>accept() waits for a client to connect</source>
        <translation>accept() attend qu’un client se connecte</translation>
    </message>
    <message>
        <source>the socket waits for a packet (on a listening Unix socket: a client&apos;s connect)</source>
        <translation>la socket attend un paquet (sur une socket Unix d’écoute : le connect() d’un client)</translation>
    </message>
    <message>
        <source>a TCP read waits until data arrives from the peer</source>
        <translation>une lecture TCP attend que des données arrivent de l’autre bout</translation>
    </message>
    <message>
        <source>waits to be woken by its socket or terminal (data, room, or a connection)</source>
        <translation>attend d’être réveillé par sa socket ou son terminal (des données, de la place ou une connexion)</translation>
    </message>
    <message>
        <source>connect() waits for the server to answer (the TCP handshake)</source>
        <translation>connect() attend que le serveur réponde (la poignée de main TCP)</translation>
    </message>
    <message>
        <source>poll/select waits until one of its descriptors is ready, or its timeout</source>
        <translation>poll/select attend qu’un de ses descripteurs soit prêt, ou la fin de son délai</translation>
    </message>
    <message>
        <source>epoll_wait waits until one of its watched descriptors is ready, or its timeout</source>
        <translation>epoll_wait attend qu’un des descripteurs surveillés soit prêt, ou la fin de son délai</translation>
    </message>
    <message>
        <source>a futex wait: the thread waits for another thread of its process (a lock, a condition, a join)</source>
        <translation>une attente futex : le thread attend un autre thread de son processus (un verrou, une condition, un join)</translation>
    </message>
    <message>
        <source>waits for a child process to exit</source>
        <translation>attend qu’un processus enfant se termine</translation>
    </message>
    <message>
        <source>sleeps for a set time</source>
        <translation>dort pendant un temps donné</translation>
    </message>
    <message>
        <source>waits for a signal</source>
        <translation>attend un signal</translation>
    </message>
    <message>
        <source>waits for a signal (sigwait)</source>
        <translation>attend un signal (sigwait)</translation>
    </message>
    <message>
        <source>waits for a line typed on the terminal</source>
        <translation>attend une ligne tapée au terminal</translation>
    </message>
    <message>
        <source>stopped by a signal (SIGSTOP or Ctrl+Z)</source>
        <translation>arrêté par un signal (SIGSTOP ou Ctrl+Z)</translation>
    </message>
    <message>
        <source>a read from a socket waits until the peer sends data</source>
        <translation>une lecture dans une socket attend que l’autre bout envoie des données</translation>
    </message>
    <message>
        <source>connect() waits for the server to answer</source>
        <translation>connect() attend que le serveur réponde</translation>
    </message>
    <message>
        <source>running</source>
        <translation>en cours d’exécution</translation>
    </message>
    <message>
        <source>sleeping</source>
        <translation>endormi</translation>
    </message>
    <message>
        <source>waiting (uninterruptible)</source>
        <translation>en attente (non interruptible)</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>arrêté</translation>
    </message>
    <message>
        <source>stopped by a tracer</source>
        <translation>arrêté par un traceur</translation>
    </message>
    <message>
        <source>zombie</source>
        <translation>zombie</translation>
    </message>
    <message>
        <source>dead</source>
        <translation>mort</translation>
    </message>
    <message>
        <source>idle</source>
        <translation>inactif</translation>
    </message>
    <message>
        <source>parked</source>
        <translation>parqué</translation>
    </message>
    <message>
        <source>paging</source>
        <translation>en pagination</translation>
    </message>
    <message>
        <source>wakekill</source>
        <translation>wakekill</translation>
    </message>
    <message>
        <source>exited (a zombie until its parent collects it)</source>
        <translation>terminé (un zombie tant que son parent ne l’a pas recueilli)</translation>
    </message>
    <message>
        <source>{state}; waits in {channel} — {meaning}</source>
        <translation>{state} ; attend dans {channel} — {meaning}</translation>
    </message>
    <message>
        <source>{state}; waits in {channel}</source>
        <translation>{state} ; attend dans {channel}</translation>
    </message>
    <message>
        <source>{state}; its system call and wait channel are not visible</source>
        <translation>{state} ; son appel système et son canal d’attente ne sont pas visibles</translation>
    </message>
    <message>
        <source>{state}, not inside a system call</source>
        <translation>{state}, hors de tout appel système</translation>
    </message>
    <message>
        <source>blocked in {call} on {subject}</source>
        <translation>bloqué dans {call} sur {subject}</translation>
    </message>
    <message>
        <source>blocked in {call}</source>
        <translation>bloqué dans {call}</translation>
    </message>
    <message>
        <source>{blocked} — {meaning}</source>
        <translation>{blocked} — {meaning}</translation>
    </message>
    <message>
        <source>{blocked} (waits in {channel})</source>
        <translation>{blocked} (attend dans {channel})</translation>
    </message>
    <message>
        <source>{blocked} (wait channel not visible)</source>
        <translation>{blocked} (canal d’attente non visible)</translation>
    </message>
    <message>
        <source>{call}()</source>
        <translation>{call}()</translation>
    </message>
    <message>
        <source>system call {number}</source>
        <translation>appel système {number}</translation>
    </message>
    <message>
        <source>running on a CPU</source>
        <translation>s’exécute sur un processeur</translation>
    </message>
    <message>
        <source>the kernel view cannot see this thread</source>
        <translation>la vue du noyau ne voit pas ce thread</translation>
    </message>
    <message>
        <source>not visible</source>
        <translation>non visible</translation>
    </message>
    <message>
        <source>in system call {number}</source>
        <translation>dans l’appel système {number}</translation>
    </message>
    <message>
        <source>{transport} server {pid}</source>
        <translation>serveur {transport} {pid}</translation>
    </message>
    <message>
        <source>(thread {tid})</source>
        <translation>(thread {tid})</translation>
    </message>
</context>
</TS>
